"""Local stand-ins for the LLM providers the hook scorer calls, speaking their wire formats."""
