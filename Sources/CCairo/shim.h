// Cairo (2-D drawing with anti-aliasing and text, PNG and SVG output) for the pictures of `lexel cluster --plot`.
#include <cairo.h>
#include <cairo-svg.h>
