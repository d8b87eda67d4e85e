"""Trading-Chitti: open trading intelligence for Indian equities (NSE/BSE)."""

__version__ = "0.1.0"
