"""EPUBCheck and the Nu HTML Checker: where their jars are, and the service that runs them."""
