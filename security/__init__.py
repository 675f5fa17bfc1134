"""The security stage: a built-in passive baseline (ZAP rule ids), a ZAP adapter, an Observatory-style grade and SARIF."""
