import { z } from 'zod';
import { Name, Timestamp } from './common';

const CommandText = z.string().min(1).max(1_000_000);
const DacpacUri = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URI' })
  .max(2048)
  .meta({ description: 'https URI of the .dacpac, with a read SAS token or a blob of the app\'s own storage. The query (the SAS token) is stored protected and never returned.' });
const Comment = z.string().max(4000);

export const ContentType = z.enum(['script', 'dacpac']);

export const CreateContent = z
  .discriminatedUnion('type', [
    z.strictObject({ name: Name, type: z.literal('script'), commandText: CommandText, comment: Comment.optional() }),
    z.strictObject({ name: Name, type: z.literal('dacpac'), dacpacUri: DacpacUri, comment: Comment.optional() }),
  ])
  .meta({ id: 'CreateContent' });
export type CreateContent = z.infer<typeof CreateContent>;

/** A new version must be of the content's own type; the handler checks which field applies. */
export const CreateContentVersion = z
  .strictObject({ commandText: CommandText.optional(), dacpacUri: DacpacUri.optional(), comment: Comment.optional() })
  .refine((v) => (v.commandText === undefined) !== (v.dacpacUri === undefined), {
    message: 'exactly one of commandText or dacpacUri is required',
  })
  .meta({ id: 'CreateContentVersion' });
export type CreateContentVersion = z.infer<typeof CreateContentVersion>;

export const Content = z
  .object({
    name: z.string(),
    type: ContentType,
    version: z.number().int(),
    commandText: z.string().optional(),
    dacpacUri: z
      .string()
      .optional()
      .meta({ description: 'The DACPAC URI without its query: a SAS token given when writing is stored protected, like a password, and never returned.' }),
    comment: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Content' });
export type Content = z.infer<typeof Content>;
