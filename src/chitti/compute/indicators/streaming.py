"""placeholder"""
def stream(*a, **k): raise NotImplementedError
