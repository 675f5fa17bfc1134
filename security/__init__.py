"""The security stage: a passive baseline under ZAP rule ids, a ZAP adapter and a grade; its findings
declare their code-scanning kind for the run's SARIF (`reports.sarif`)."""
