"""The wheel holds a native library (liblexel.so, loaded with ctypes) but no Python extension: it is tagged
py3-none-<platform>, one wheel for every CPython 3, and `auditwheel repair` makes the platform tag manylinux."""
from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.dist import Distribution


class NativeDistribution(Distribution):
    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        return ("py3", "none", super().get_tag()[2])


setup(distclass=NativeDistribution, cmdclass={"bdist_wheel": PlatformWheel})
