/* Axon's SVG writer (svg.h). */
#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const RT_COLORS[RT_NCOLORS] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                           "#E69F00", "#56B4E9", "#000000", "#F0E442"};
const uint8_t RT_COLOR_RGB[RT_NCOLORS][3] = {
    {0x00, 0x72, 0xB2}, {0xD5, 0x5E, 0x00}, {0x00, 0x9E, 0x73}, {0xCC, 0x79, 0xA7},
    {0xE6, 0x9F, 0x00}, {0x56, 0xB4, 0xE9}, {0x00, 0x00, 0x00}, {0xF0, 0xE4, 0x42}};

#define RT_FONT "DejaVu Sans, Helvetica, Arial, sans-serif"
#define RT_INK "#222222"
#define RT_MUTED "#666666"
#define RT_GRID "#e6e6e6"
#define RT_FRAME "#b0b0b0"

double rt_si_prefix(double maxabs, const char **prefix)
{
    static const struct {
        double scale;
        const char *p;
    } P[] = {{1e-12, "p"}, {1e-9, "n"}, {1e-6, "µ"}, {1e-3, "m"}, {1, ""}, {1e3, "k"}, {1e6, "M"}};
    int k = 4;
    if (maxabs > 0 && isfinite(maxabs)) {
        for (k = 0; k < 6 && maxabs >= 1000 * P[k].scale * (1 - 1e-9); k++)
            ;
    }
    *prefix = P[k].p;
    return P[k].scale;
}

void rt_svg_begin(rt_svg *s, double W, double H, const char *title, const char *subtitle)
{
    memset(s, 0, sizeof *s);
    s->W = W;
    s->H = H;
    s->px0 = 76;
    s->px1 = W - 24;
    s->py0 = subtitle ? 76 : 58; /* title, subtitle, a row for the legend */
    s->py1 = H - 58;
    s->xscale = s->yscale = 1;
    rt_sb_printf(&s->b,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\" font-family=\"" RT_FONT "\" font-size=\"12\">\n"
                 "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
                 W, H, W, H);
    rt_sb_printf(&s->b,
                 "<text x=\"%.1f\" y=\"24\" font-size=\"15\" font-weight=\"bold\" "
                 "fill=\"" RT_INK "\">",
                 s->px0);
    rt_sb_xml(&s->b, title);
    rt_sb_puts(&s->b, "</text>\n");
    if (subtitle) {
        rt_sb_printf(&s->b, "<text x=\"%.1f\" y=\"42\" fill=\"" RT_MUTED "\">", s->px0);
        rt_sb_xml(&s->b, subtitle);
        rt_sb_puts(&s->b, "</text>\n");
    }
}

double rt_svg_x(const rt_svg *s, double x)
{
    if (s->logx) {
        double lx = x > 0 ? log10(x) : log10(s->x0) - 1;
        return s->px0 + (lx - log10(s->x0)) / (log10(s->x1) - log10(s->x0)) * (s->px1 - s->px0);
    }
    return s->px0 + (x - s->x0) / (s->x1 - s->x0) * (s->px1 - s->px0);
}

double rt_svg_y(const rt_svg *s, double y)
{
    if (s->logy) {
        double ly = y > 0 ? log10(y) : log10(s->y0) - 1;
        return s->py1 - (ly - log10(s->y0)) / (log10(s->y1) - log10(s->y0)) * (s->py1 - s->py0);
    }
    return s->py1 - (y - s->y0) / (s->y1 - s->y0) * (s->py1 - s->py0);
}

/* A step of about span / 5 from 1, 2, 5 x 10^k. */
static double rt_nice_step(double span)
{
    double rough = span / 5, mag = pow(10, floor(log10(rough))), f = rough / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

static void rt_tick_label(char *buf, size_t len, double v, double step)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (fabs(v) < step * 1e-6)
        v = 0;
    if (fabs(v) >= 1e6 || (fabs(v) > 0 && fabs(v) < 1e-4))
        snprintf(buf, len, "%.3g", v);
    else
        snprintf(buf, len, "%.*f", dec > 6 ? 6 : dec, v);
}

/* 10^k with a superscript exponent. */
static void rt_pow10_label(char *buf, size_t len, int k)
{
    static const char *const SUP[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
    if (k >= 0 && k <= 3) {
        snprintf(buf, len, "%g", pow(10, k));
        return;
    }
    size_t n = (size_t)snprintf(buf, len, "10%s", k < 0 ? "⁻" : "");
    char digits[16];
    snprintf(digits, sizeof digits, "%d", abs(k));
    for (char *d = digits; *d && n < len; d++)
        n += (size_t)snprintf(buf + n, len - n, "%s", SUP[*d - '0']);
}

/* [*a, *b] widened to 1% of its magnitude on each side (0.5 about 0) where it is empty or too
 * narrow for ticks: a flat trace's values a few units in the last place apart (-65 mV and the
 * next double) gave a tick step that adding could not move past them. */
static void rt_axis_span(double *a, double *b)
{
    double m = fmax(fabs(*a), fabs(*b));
    if (*b > *a && *b - *a > 1e-9 * m)
        return;
    double c = 0.5 * (*a + *b), h = m > 0 ? 0.01 * m : 0.5;
    *a = c - h;
    *b = c + h;
}

/* at most this many ticks on an axis, whatever its numbers */
#define RT_MAX_TICKS 200

void rt_svg_axes(rt_svg *s, double x0, double x1, double y0, double y1, const char *xlabel,
                 const char *ylabel, double xscale, double yscale, int log)
{
    rt_axis_span(&x0, &x1);
    rt_axis_span(&y0, &y1);
    s->x0 = x0;
    s->x1 = x1;
    s->y0 = y0;
    s->y1 = y1;
    s->logy = (log & RT_LOGY) && y0 > 0;
    s->logx = (log & RT_LOGX) && x0 > 0;
    s->xscale = xscale > 0 ? xscale : 1;
    s->yscale = yscale > 0 ? yscale : 1;
    rt_sbuf *b = &s->b;
    rt_sb_printf(b,
                 "<defs><clipPath id=\"plot\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                 "height=\"%.1f\"/></clipPath></defs>\n",
                 s->px0, s->py0, s->px1 - s->px0, s->py1 - s->py0);
    rt_sb_puts(b, "<g stroke=\"" RT_GRID "\" stroke-width=\"1\">\n");
    char lab[64];
    /* x ticks */
    double xs = rt_nice_step((x1 - x0) / s->xscale);
    rt_sbuf labels = {0};
    for (int k = (int)ceil(log10(x0) - 1e-9); s->logx && k <= (int)floor(log10(x1) + 1e-9); k++) {
        double X = rt_svg_x(s, pow(10, k));
        rt_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", X, s->py0, X,
                     s->py1);
        rt_pow10_label(lab, sizeof lab, k);
        rt_sb_printf(&labels,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                     "stroke=\"" RT_FRAME "\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                     "text-anchor=\"middle\">%s</text>\n",
                     X, s->py1, X, s->py1 + 5, X, s->py1 + 18, lab);
    }
    int n = 0;
    for (double v = ceil(x0 / s->xscale / xs - 1e-9) * xs;
         !s->logx && v <= x1 / s->xscale + xs * 1e-9 && n < RT_MAX_TICKS; v += xs, n++) {
        double X = rt_svg_x(s, v * s->xscale);
        rt_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", X, s->py0, X,
                     s->py1);
        rt_tick_label(lab, sizeof lab, v, xs);
        rt_sb_printf(&labels,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                     "stroke=\"" RT_FRAME "\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                     "text-anchor=\"middle\">%s</text>\n",
                     X, s->py1, X, s->py1 + 5, X, s->py1 + 18, lab);
    }
    /* y ticks */
    if (s->logy) {
        int k0 = (int)ceil(log10(y0) - 1e-9), k1 = (int)floor(log10(y1) + 1e-9);
        int every = (k1 - k0) / 6 + 1;
        for (int k = k0; k <= k1; k += every) {
            double Y = rt_svg_y(s, pow(10, k));
            rt_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", s->px0, Y,
                         s->px1, Y);
            rt_pow10_label(lab, sizeof lab, k);
            rt_sb_printf(&labels,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                         "stroke=\"" RT_FRAME "\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                         "text-anchor=\"end\">%s</text>\n",
                         s->px0 - 5, Y, s->px0, Y, s->px0 - 8, Y + 4, lab);
        }
    } else {
        double ys = rt_nice_step((y1 - y0) / s->yscale);
        n = 0;
        for (double v = ceil(y0 / s->yscale / ys - 1e-9) * ys;
             v <= y1 / s->yscale + ys * 1e-9 && n < RT_MAX_TICKS; v += ys, n++) {
            double Y = rt_svg_y(s, v * s->yscale);
            rt_sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", s->px0, Y,
                         s->px1, Y);
            rt_tick_label(lab, sizeof lab, v, ys);
            rt_sb_printf(&labels,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                         "stroke=\"" RT_FRAME "\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                         "text-anchor=\"end\">%s</text>\n",
                         s->px0 - 5, Y, s->px0, Y, s->px0 - 8, Y + 4, lab);
        }
    }
    rt_sb_puts(b, "</g>\n");
    rt_sb_printf(b,
                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                 "stroke=\"" RT_FRAME "\"/>\n",
                 s->px0, s->py0, s->px1 - s->px0, s->py1 - s->py0);
    rt_sb_puts(b, "<g fill=\"" RT_INK "\" font-size=\"11\">\n");
    if (labels.p)
        rt_sb_puts(b, labels.p);
    b->oom |= labels.oom;
    free(labels.p);
    rt_sb_puts(b, "</g>\n");
    rt_sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"" RT_INK "\">",
                 0.5 * (s->px0 + s->px1), s->H - 16);
    rt_sb_xml(b, xlabel);
    rt_sb_puts(b, "</text>\n");
    double cy = 0.5 * (s->py0 + s->py1);
    rt_sb_printf(b,
                 "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\" "
                 "fill=\"" RT_INK "\">",
                 cy);
    rt_sb_xml(b, ylabel);
    rt_sb_puts(b, "</text>\n");
}

/* ---- marks ----------------------------------------------------------------------------------- */

typedef struct {
    rt_svg *s;
    int open; /* a subpath is started */
} rt_pen;

static void rt_pen_to(rt_pen *p, double X, double Y)
{
    rt_sb_printf(&p->s->b, p->open ? " %.1f %.1f" : " M%.1f %.1f", X, Y);
    p->open = 1;
}

void rt_svg_line(rt_svg *s, const double *x, const double *y, size_t n, const char *color,
                 double width, const char *dash)
{
    rt_sb_printf(&s->b,
                 "<path clip-path=\"url(#plot)\" fill=\"none\" stroke=\"%s\" "
                 "stroke-width=\"%.2f\" stroke-linejoin=\"round\"%s%s%s d=\"",
                 color, width, dash ? " stroke-dasharray=\"" : "", dash ? dash : "",
                 dash ? "\"" : "");
    rt_pen p = {s, 0};
    double cols = s->px1 - s->px0;
    if ((double)n <= 4 * cols) {
        for (size_t k = 0; k < n; k++) {
            if (isnan(y[k]) || isnan(x[k])) {
                p.open = 0;
                continue;
            }
            rt_pen_to(&p, rt_svg_x(s, x[k]), rt_svg_y(s, y[k]));
        }
    } else {
        /* one pixel column at a time: first, min, max (in their order), last */
        size_t k = 0;
        while (k < n) {
            if (isnan(y[k]) || isnan(x[k])) {
                p.open = 0;
                k++;
                continue;
            }
            long col = (long)floor(rt_svg_x(s, x[k]));
            size_t first = k, lo = k, hi = k, last = k;
            while (k < n && !isnan(y[k]) && (long)floor(rt_svg_x(s, x[k])) == col) {
                if (y[k] < y[lo])
                    lo = k;
                if (y[k] > y[hi])
                    hi = k;
                last = k++;
            }
            size_t order[4] = {first, lo < hi ? lo : hi, lo < hi ? hi : lo, last};
            for (int q = 0; q < 4; q++)
                if (q == 0 || order[q] != order[q - 1])
                    rt_pen_to(&p, rt_svg_x(s, x[order[q]]), rt_svg_y(s, y[order[q]]));
        }
    }
    rt_sb_puts(&s->b, "\"/>\n");
}

void rt_svg_band(rt_svg *s, const double *x, const double *lo, const double *hi, size_t n,
                 const char *color, double opacity)
{
    if (n == 0)
        return;
    /* a band of many points is thinned to about two points per pixel column */
    size_t step = (size_t)ceil((double)n / (2 * (s->px1 - s->px0)));
    if (step < 1)
        step = 1;
    rt_sb_printf(&s->b,
                 "<path clip-path=\"url(#plot)\" fill=\"%s\" fill-opacity=\"%.2f\" "
                 "stroke=\"none\" d=\"",
                 color, opacity);
    int first = 1;
    for (size_t k = 0; k < n; k += step) {
        rt_sb_printf(&s->b, "%s%.1f %.1f", first ? "M" : " ", rt_svg_x(s, x[k]),
                     rt_svg_y(s, hi[k]));
        first = 0;
    }
    for (size_t k = (n - 1) / step * step + 1; k-- > 0;)
        if (k % step == 0)
            rt_sb_printf(&s->b, " %.1f %.1f", rt_svg_x(s, x[k]), rt_svg_y(s, lo[k]));
    rt_sb_puts(&s->b, " Z\"/>\n");
}

void rt_svg_steps(rt_svg *s, const double *edges, const double *h, size_t n, const char *color,
                  double fill_opacity, const char *dash)
{
    double base = s->logy ? s->y0 : (s->y0 < 0 && s->y1 > 0 ? 0 : s->y0);
    double Yb = rt_svg_y(s, base);
    rt_sb_printf(&s->b,
                 "<path clip-path=\"url(#plot)\" fill=\"%s\" fill-opacity=\"%.2f\" "
                 "stroke=\"%s\" stroke-width=\"1.5\" stroke-linejoin=\"round\"%s%s%s "
                 "d=\"M%.1f %.1f",
                 fill_opacity > 0 ? color : "none", fill_opacity, color,
                 dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "",
                 rt_svg_x(s, edges[0]), Yb);
    for (size_t k = 0; k < n; k++)
        rt_sb_printf(&s->b, " V%.1f H%.1f", rt_svg_y(s, h[k]), rt_svg_x(s, edges[k + 1]));
    rt_sb_printf(&s->b, " V%.1f\"/>\n", Yb);
}

void rt_svg_ticks(rt_svg *s, const double *x, const double *y, size_t n, double h,
                  const char *color)
{
    double hp = fabs(rt_svg_y(s, 0) - rt_svg_y(s, h));
    if (hp < 1)
        hp = 1;
    rt_sb_printf(&s->b, "<path clip-path=\"url(#plot)\" stroke=\"%s\" stroke-width=\"1\" d=\"",
                 color);
    for (size_t k = 0; k < n; k++)
        rt_sb_printf(&s->b, "M%.1f %.1fv%.1f", rt_svg_x(s, x[k]), rt_svg_y(s, y[k]) - hp / 2, hp);
    rt_sb_puts(&s->b, "\"/>\n");
}

/* ---- an embedded PNG ------------------------------------------------------------------------- */

static uint32_t rt_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t k = 0; k < n; k++) {
        crc ^= p[k];
        for (int j = 0; j < 8; j++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static void rt_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

typedef struct {
    uint8_t *p;
    size_t n, cap;
    int oom;
} rt_bytes;

static void rt_bytes_add(rt_bytes *b, const void *d, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void rt_png_chunk(rt_bytes *b, const char *type, const uint8_t *d, size_t n)
{
    uint8_t h[8];
    rt_put32(h, (uint32_t)n);
    memcpy(h + 4, type, 4);
    rt_bytes_add(b, h, 8);
    rt_bytes_add(b, d, n);
    uint32_t crc = rt_crc32(0, (const uint8_t *)type, 4);
    crc = rt_crc32(crc, d, n);
    rt_put32(h, crc);
    rt_bytes_add(b, h, 4);
}

/*
 * An indexed-colour PNG whose image data is zlib with "stored" (uncompressed) deflate blocks:
 * no compressor needed, and density images of a few hundred pixels square stay small enough
 * (the SVG is written once and read by a browser, not sent over a network).
 */
static void rt_png(rt_bytes *out, const uint8_t *cells, uint32_t w, uint32_t h, const uint8_t *pal,
                   uint32_t npal)
{
    static const uint8_t SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    rt_bytes_add(out, SIG, 8);
    uint8_t ihdr[13];
    rt_put32(ihdr, w);
    rt_put32(ihdr + 4, h);
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 3; /* indexed colour */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    rt_png_chunk(out, "IHDR", ihdr, 13);
    rt_png_chunk(out, "PLTE", pal, 3 * (size_t)npal);
    /* raw scanlines, each after its filter byte (0: none) */
    size_t raw_n = (size_t)h * (w + 1);
    uint8_t *raw = malloc(raw_n ? raw_n : 1);
    if (!raw) {
        out->oom = 1;
        return;
    }
    for (uint32_t r = 0; r < h; r++) {
        raw[(size_t)r * (w + 1)] = 0;
        memcpy(raw + (size_t)r * (w + 1) + 1, cells + (size_t)r * w, w);
    }
    rt_bytes z = {0};
    uint8_t zh[2] = {0x78, 0x01};
    rt_bytes_add(&z, zh, 2);
    uint32_t a = 1, bsum = 0; /* Adler-32 */
    for (size_t k = 0; k < raw_n; k++) {
        a = (a + raw[k]) % 65521;
        bsum = (bsum + a) % 65521;
    }
    for (size_t off = 0; off < raw_n || off == 0;) {
        size_t len = raw_n - off > 65535 ? 65535 : raw_n - off;
        uint8_t bh[5] = {off + len >= raw_n ? 1 : 0, (uint8_t)len, (uint8_t)(len >> 8),
                         (uint8_t)~len, (uint8_t)(~len >> 8)};
        rt_bytes_add(&z, bh, 5);
        rt_bytes_add(&z, raw + off, len);
        off += len;
        if (len == 0)
            break;
    }
    uint8_t ad[4];
    rt_put32(ad, (bsum << 16) | a);
    rt_bytes_add(&z, ad, 4);
    free(raw);
    out->oom |= z.oom;
    if (!z.oom)
        rt_png_chunk(out, "IDAT", z.p, z.n);
    free(z.p);
    rt_png_chunk(out, "IEND", NULL, 0);
}

static void rt_base64(rt_sbuf *b, const uint8_t *p, size_t n)
{
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    for (size_t k = 0; k < n; k += 3) {
        uint32_t v = (uint32_t)p[k] << 16 | (k + 1 < n ? (uint32_t)p[k + 1] << 8 : 0) |
                     (k + 2 < n ? p[k + 2] : 0);
        q[0] = T[v >> 18 & 63];
        q[1] = T[v >> 12 & 63];
        q[2] = k + 1 < n ? T[v >> 6 & 63] : '=';
        q[3] = k + 2 < n ? T[v & 63] : '=';
        rt_sb_add(b, q, 4);
    }
}

void rt_svg_image(rt_svg *s, const uint8_t *cells, uint32_t w, uint32_t h, const uint8_t *pal,
                  uint32_t npal, double x0, double x1, double y0, double y1)
{
    rt_bytes png = {0};
    rt_png(&png, cells, w, h, pal, npal);
    if (png.oom) {
        s->b.oom = 1;
        free(png.p);
        return;
    }
    double X0 = rt_svg_x(s, x0), X1 = rt_svg_x(s, x1), Y0 = rt_svg_y(s, y1), Y1 = rt_svg_y(s, y0);
    rt_sb_printf(&s->b,
                 "<image x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" "
                 "href=\"data:image/png;base64,",
                 X0, Y0, X1 - X0, Y1 - Y0);
    rt_base64(&s->b, png.p, png.n);
    rt_sb_puts(&s->b, "\"/>\n");
    free(png.p);
}

/* ---- labels ---------------------------------------------------------------------------------- */

void rt_svg_band_label(rt_svg *s, double y, const char *text, const char *color)
{
    rt_sb_printf(&s->b,
                 "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-weight=\"bold\" "
                 "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">",
                 s->px0 + 6, rt_svg_y(s, y) + 4, color);
    rt_sb_xml(&s->b, text);
    rt_sb_puts(&s->b, "</text>\n");
}

void rt_svg_legend(rt_svg *s, const char *label, const char *color, const char *dash)
{
    /* a row between the subtitle and the plot, so that no entry hides data */
    double x = s->legx > 0 ? s->legx : s->px0, y = s->py0 - 9;
    rt_sb_printf(&s->b,
                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                 "stroke-width=\"2.5\"%s%s%s/>\n",
                 x, y - 4, x + 20, y - 4, color, dash ? " stroke-dasharray=\"" : "",
                 dash ? dash : "", dash ? "\"" : "");
    rt_sb_printf(&s->b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"" RT_INK "\">", x + 25, y);
    rt_sb_xml(&s->b, label);
    rt_sb_puts(&s->b, "</text>\n");
    /* DejaVu Sans at 12 px averages about 7 px a character */
    s->legx = x + 25 + 7.0 * (double)strlen(label) + 18;
    s->nlegend++;
}

void rt_svg_note(rt_svg *s, const char *text)
{
    rt_sb_printf(&s->b,
                 "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\" "
                 "fill=\"" RT_MUTED "\">",
                 s->px1, s->H - 4);
    rt_sb_xml(&s->b, text);
    rt_sb_puts(&s->b, "</text>\n");
}

axon_status rt_svg_end(rt_svg *s, const char *path, axon_err *err)
{
    rt_sb_puts(&s->b, "</svg>\n");
    axon_status st = rt_sb_write_file(&s->b, path, err);
    free(s->b.p);
    s->b = (rt_sbuf){0};
    return st;
}
