"""The optional C extension of the news parser; everything else is in pyproject.toml.

``optional=True``: where it cannot be compiled (no C compiler), the install still succeeds and
chitti.news.parse uses its pure-Python form, which gives the same output.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "chitti.news._fastparse",
            sources=["src/chitti/news/_fastparse.c"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
