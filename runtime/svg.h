/*
 * Internal: Axon's small SVG writer, enough for scientific figures with one look: a title and
 * subtitle, a plot area with a frame, grid, "nice" ticks and axis labels with units, polylines
 * (decimated to the pixel grid, so a million samples stay a small file), bars and steps,
 * filled bands, tick marks for rasters, an embedded image for density plots, and a legend.
 *
 * Coordinates: data values are mapped into the plot area with rt_svg_x / rt_svg_y once the
 * axes are set. Everything is written into one rt_sbuf and saved atomically by rt_svg_end.
 */
#ifndef AXON_RT_SVG_H
#define AXON_RT_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* The palette (Okabe & Ito's, distinguishable with the common colour-vision deficiencies). */
#define RT_NCOLORS 8
extern const char *const RT_COLORS[RT_NCOLORS];
extern const uint8_t RT_COLOR_RGB[RT_NCOLORS][3];

typedef struct {
    rt_sbuf b;
    double W, H;               /* the figure, px */
    double px0, px1, py0, py1; /* the plot area: left, right, top, bottom, px */
    double x0, x1, y0, y1;     /* the data range shown */
    int logy, logx;
    int nlegend;
    double legx;           /* where the next legend entry goes */
    double xscale, yscale; /* data units per displayed unit (SI prefix), for the labels */
} rt_svg;

/* A figure of W x H px with its title and a subtitle (may be NULL). */
void rt_svg_begin(rt_svg *s, double W, double H, const char *title, const char *subtitle);
/* rt_svg_axes's log: which axes are logarithmic (ticks at powers of ten) */
#define RT_LOGY 1
#define RT_LOGX 2
/*
 * The axes: the data range (> 0 on a log axis), the labels (with their units), the displayed
 * unit scales (tick labels show value / scale; 1 for none) and which axes are logarithmic
 * (RT_LOGX | RT_LOGY, or 0). Draws the frame, grid, ticks and labels.
 */
void rt_svg_axes(rt_svg *s, double x0, double x1, double y0, double y1, const char *xlabel,
                 const char *ylabel, double xscale, double yscale, int log);
double rt_svg_x(const rt_svg *s, double x);
double rt_svg_y(const rt_svg *s, double y);
/* A line through n points; NaN values break it. More points than pixels are reduced to each
 * pixel column's first, smallest, largest and last value, which keeps every peak visible. */
void rt_svg_line(rt_svg *s, const double *x, const double *y, size_t n, const char *color,
                 double width, const char *dash);
/* A filled band between lo and hi at the n points (semi-transparent). */
void rt_svg_band(rt_svg *s, const double *x, const double *lo, const double *hi, size_t n,
                 const char *color, double opacity);
/* A histogram outline over edges (n + 1 values) with heights h (n), optionally filled, the
 * outline dashed when dash is a dash array ("6 4"). */
void rt_svg_steps(rt_svg *s, const double *edges, const double *h, size_t n, const char *color,
                  double fill_opacity, const char *dash);
/* Raster ticks: one short vertical mark of height `h` (data units) per point. */
void rt_svg_ticks(rt_svg *s, const double *x, const double *y, size_t n, double h,
                  const char *color);
/* An image of w x h cells covering the data box [x0, x1] x [y0, y1], cell (0, 0) at the top
 * left; values are palette indices, pal has npal RGB triples. Written as an embedded PNG. */
void rt_svg_image(rt_svg *s, const uint8_t *cells, uint32_t w, uint32_t h, const uint8_t *pal,
                  uint32_t npal, double x0, double x1, double y0, double y1);
/* A horizontal label inside the plot at data y, left edge (for raster bands). */
void rt_svg_band_label(rt_svg *s, double y, const char *text, const char *color);
void rt_svg_legend(rt_svg *s, const char *label, const char *color, const char *dash);
/* A note under the plot area (e.g. "every spike" / "density: 1 px = 12 neurons x 1 s"). */
void rt_svg_note(rt_svg *s, const char *text);
/* Closes the document and writes it to path; always releases s. */
axon_status rt_svg_end(rt_svg *s, const char *path, axon_err *err);

/* The SI prefix that shows values up to maxabs as numbers in [1, 1000): its scale and
 * symbol ("m", "µ", ...; "" for 1). */
double rt_si_prefix(double maxabs, const char **prefix);

#endif /* AXON_RT_SVG_H */
