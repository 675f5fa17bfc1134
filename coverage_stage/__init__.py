"""The coverage stage: code coverage of the target and the OpenAPI operations each stage exercised."""
