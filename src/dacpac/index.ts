/** DACPAC contents: download and `sqlpackage /Action:Publish`, for the attempt activity. */
export { applyDacpac, SQLPACKAGE_MISSING, type ApplyDacpacInput, type ApplyDacpacResult } from './applyDacpac';
