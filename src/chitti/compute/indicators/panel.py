"""placeholder"""
def compute_panel(*a, **k): raise NotImplementedError
