import { SCRIPT_VARIABLES, substituteVariables } from '../../../src/domain/scriptVariables';

const VALUES = {
  job_name: 'nightly report',
  job_execution_id: '3f1a6b3e-0000-4000-8000-000000000001',
  job_execution_create_time: '2026-11-25T20:00:00.000Z',
  step_name: 'main',
  server_name: 'tenant-1.database.windows.net',
  database_name: 'orders',
  attempt: 2,
};

describe('substituteVariables', () => {
  it('replaces each of the seven built-in variables by its value', () => {
    const script = SCRIPT_VARIABLES.map((v) => `$(${v})`).join('|');
    expect(substituteVariables(script, VALUES)).toBe(
      'nightly report|3f1a6b3e-0000-4000-8000-000000000001|2026-11-25T20:00:00.000Z|main|tenant-1.database.windows.net|orders|2',
    );
  });

  it('matches names case-insensitively', () => {
    expect(substituteVariables("SELECT '$(JOB_EXECUTION_ID)', '$(Database_Name)', $(Attempt)", VALUES)).toBe(
      "SELECT '3f1a6b3e-0000-4000-8000-000000000001', 'orders', 2",
    );
  });

  it('inserts values as text: the script quotes them itself', () => {
    expect(substituteVariables("INSERT INTO runs VALUES ('$(job_execution_id)', $(attempt))", VALUES)).toBe(
      "INSERT INTO runs VALUES ('3f1a6b3e-0000-4000-8000-000000000001', 2)",
    );
    // Not quoted by the product: a value with a quote in it reaches the script as it is.
    expect(substituteVariables("SELECT '$(job_name)'", { job_name: "o'brien" })).toBe("SELECT 'o'brien'");
  });

  it('leaves any other $(...) as written, and near-misses too', () => {
    const script = "SELECT '$(my_variable)', '$(job_name', '$ (job_name)', '$(job name)', '$()', '$(job_name_2)', '$$(job_name)'";
    expect(substituteVariables(script, VALUES)).toBe("SELECT '$(my_variable)', '$(job_name', '$ (job_name)', '$(job name)', '$()', '$(job_name_2)', '$nightly report'");
  });

  it('leaves a known variable without a value as written', () => {
    expect(substituteVariables('$(step_name) $(job_name)', { job_name: 'j' })).toBe('$(step_name) j');
  });

  it('replaces every occurrence, in one pass: a value holding $(...) is not substituted again', () => {
    expect(substituteVariables('$(database_name)/$(database_name)', { database_name: 'a' })).toBe('a/a');
    expect(substituteVariables('$(job_name) $(database_name)', { job_name: '$(database_name)', database_name: 'orders' })).toBe('$(database_name) orders');
  });

  it('treats $ patterns in values literally', () => {
    expect(substituteVariables('[$(job_name)]', { job_name: "$& $' $1" })).toBe("[$& $' $1]");
  });

  it('returns a script without variables unchanged', () => {
    const script = 'SELECT 1;\nGO\nPRINT N\'$ 5\';';
    expect(substituteVariables(script, VALUES)).toBe(script);
  });
});
