"""Local stand-ins for the payment providers' APIs, speaking their documented wire formats."""
