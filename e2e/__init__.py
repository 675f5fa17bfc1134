"""The e2e stage: a team's own pytest-playwright tests run under the harness, and page journeys with Web Vitals."""
