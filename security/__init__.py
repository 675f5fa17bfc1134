"""The security stage: a passive baseline under ZAP rule ids, a ZAP adapter, a grade and SARIF."""
