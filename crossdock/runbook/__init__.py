"""`crossdock runbook list|show|run`: the CLI over the runbooks/ package."""
