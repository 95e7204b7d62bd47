/**
 * Built-in variables of a script, as the Elastic Jobs agent and SQL Server Agent know them:
 * `$(job_name)`, `$(job_execution_id)` (the parent execution's id),
 * `$(job_execution_create_time)` (the parent's createdAt, ISO 8601 UTC), `$(step_name)`,
 * `$(server_name)`, `$(database_name)` and `$(attempt)`. Each is replaced by its value before the
 * script runs, whatever the case of its name (`$(JOB_EXECUTION_ID)` too). Any other `$(...)` is
 * left exactly as written: scripts may hold sqlcmd variables or text that merely looks like one.
 *
 * Values are inserted as plain text, not as SQL literals, as the GA agent does: a script that
 * needs a value as a string quotes it itself (`'$(job_execution_id)'`). Nothing is escaped, so
 * only the product's own values are ever substituted (ids, names of the job, its step and the
 * target database, a number), never anything a caller passes at run time.
 *
 * Pure: the attempt path hands in the values; the stored content (name and version) stays the
 * script as written.
 */

export const SCRIPT_VARIABLES = ['job_name', 'job_execution_id', 'job_execution_create_time', 'step_name', 'server_name', 'database_name', 'attempt'] as const;
export type ScriptVariable = (typeof SCRIPT_VARIABLES)[number];

/** The value of each variable for one attempt; a variable left out stays as written. */
export type ScriptVariableValues = Partial<Record<ScriptVariable, string | number>>;

const KNOWN = new Set<string>(SCRIPT_VARIABLES);

/** `$(` then a name of letters, digits and underscores, then `)`: the only shape replaced. */
const REFERENCE = /\$\(([A-Za-z0-9_]+)\)/g;

/**
 * The script with every built-in variable that has a value replaced by it (matched
 * case-insensitively); every other `$(...)` is left as written. One pass over the text, so a
 * value that itself contains `$(...)` is never substituted again.
 */
export function substituteVariables(script: string, values: ScriptVariableValues): string {
  return script.replace(REFERENCE, (reference: string, name: string) => {
    const key = name.toLowerCase();
    if (!KNOWN.has(key)) return reference;
    const value = values[key as ScriptVariable];
    return value === undefined ? reference : String(value);
  });
}
