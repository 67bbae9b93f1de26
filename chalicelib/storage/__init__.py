"""Everything that touches AWS. Each service has one module here; none leaks botocore errors."""
