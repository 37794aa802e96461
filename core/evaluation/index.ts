/** Evaluation of agent sessions: rubrics and verdicts, sampling, the judge's prompt, regression-gate suites. Pure. */
export * from './rubric';
export * from './judge-prompt';
export * from './sampling';
export * from './evaluation-request';
export * from './suite';
export * from './score-drift';
