"""Load rehearsals with Locust (`make loadtest`); not part of the Lambda package."""
