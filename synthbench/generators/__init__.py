"""The generator families. Importing this package registers every built-in generator."""

from .datasets import Blobs, Circles, Classification, Moons, Regression
from .schema import Schema

__all__ = ["Blobs", "Circles", "Classification", "Moons", "Regression", "Schema"]
