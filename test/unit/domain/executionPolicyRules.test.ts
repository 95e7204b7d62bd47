import { policySettingErrors } from '../../../src/domain/executionPolicyRules';

const valid = { jobTimeout: 'P7D', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT30M', taskTimeout: null };

describe('policySettingErrors', () => {
  it('accepts the default policy shape and equal intervals', () => {
    expect(policySettingErrors(valid)).toEqual([]);
    expect(policySettingErrors({ ...valid, maximumRetryInterval: 'PT1S' })).toEqual([]);
  });

  it('refuses a maximum retry interval shorter than the initial one, saying both', () => {
    expect(policySettingErrors({ ...valid, initialRetryInterval: 'PT10M', maximumRetryInterval: 'PT1M' })).toEqual([
      { path: 'body.maximumRetryInterval', message: 'must be at least initialRetryInterval (PT1M is shorter than PT10M)' },
    ]);
  });

  it('refuses zero timeouts', () => {
    expect(policySettingErrors({ ...valid, jobTimeout: 'PT0S', taskTimeout: 'PT0S' }).map((e) => e.path)).toEqual(['body.jobTimeout', 'body.taskTimeout']);
  });
});
