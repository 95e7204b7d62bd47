/** Path parameter schemas shared by the routes. */
import { z } from 'zod';
import { Id, Name } from '../../domain/schemas/common';

export const NameParams = z.object({ name: Name });
export const IdParams = z.object({ id: Id });
