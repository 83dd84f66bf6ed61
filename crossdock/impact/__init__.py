"""`crossdock impact STACK TARGET`: what breaks for the business, who to page, which runbook, what to tell customers."""
