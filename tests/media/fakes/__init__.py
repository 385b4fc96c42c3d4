"""Local stand-ins for the storage providers' APIs, speaking their documented wire formats."""
