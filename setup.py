"""Build the engine's compiled search core; everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "solver._engine._core",
            sources=["solver/_engine/_core.c"],
            extra_compile_args=["-O2", "-std=c99"],
            optional=True,
        )
    ]
)
