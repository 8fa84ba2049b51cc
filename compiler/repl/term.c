/*
 * Figures in the terminal: a spike raster in braille characters (each character a 2 x 4 grid
 * of dots, so a 70 x 12 box shows 140 time bins by 48 neuron rows) and a population rate as a
 * column chart in block characters (eight heights per row). Sized by the caller to the window.
 */
#include "repl/repl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Writes the UTF-8 form of a code point of the Basic Multilingual Plane. */
static void put_utf8(FILE *out, unsigned cp)
{
    if (cp < 0x80) {
        fputc((int)cp, out);
    } else if (cp < 0x800) {
        fputc((int)(0xC0 | (cp >> 6)), out);
        fputc((int)(0x80 | (cp & 0x3F)), out);
    } else {
        fputc((int)(0xE0 | (cp >> 12)), out);
        fputc((int)(0x80 | ((cp >> 6) & 0x3F)), out);
        fputc((int)(0x80 | (cp & 0x3F)), out);
    }
}

void term_raster(FILE *out, const double *t, const unsigned *i, size_t n, unsigned size,
                 double t0, double t1, int width, int height)
{
    if (width < 4)
        width = 4;
    if (height < 2)
        height = 2;
    int cols = width * 2, rows = height * 4;
    unsigned char *dots = calloc((size_t)cols * (size_t)rows, 1);
    if (!dots || !size || !(t1 > t0)) {
        free(dots);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        /* the window's end included, as axon analyze counts (a spike of the last step
           carries the run's end time) */
        if (t[k] < t0 || t[k] > t1 || i[k] >= size)
            continue;
        int c = (int)((t[k] - t0) / (t1 - t0) * cols);
        /* the middle of the neuron's band of dot rows (row 0 at the bottom), so that a small
           population's neurons fall in the text rows their labels name */
        int r = (int)((2 * (uint64_t)i[k] + 1) * (uint64_t)rows / (2 * (uint64_t)size));
        if (c >= cols)
            c = cols - 1;
        dots[(size_t)r * (size_t)cols + (size_t)c] = 1;
    }
    /* braille dot numbering: column 0 rows 0-2 are bits 0-2, column 1 rows 0-2 bits 3-5,
       row 3 bits 6 and 7 */
    static const unsigned BIT[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    for (int y = height - 1; y >= 0; y--) {
        /* the neuron whose band holds the middle of this text row; the ends of the range at
           the top and the bottom */
        fprintf(out, "%7u ",
                y == height - 1 ? size - 1
                : y == 0        ? 0
                                : (unsigned)(((uint64_t)y * 4 + 2) * size / (uint64_t)rows));
        put_utf8(out, 0x2502);
        for (int x = 0; x < width; x++) {
            unsigned bits = 0;
            for (int dy = 0; dy < 4; dy++) /* a cell's top dot is its highest row */
                for (int dx = 0; dx < 2; dx++)
                    if (dots[(size_t)(y * 4 + 3 - dy) * (size_t)cols + (size_t)(x * 2 + dx)])
                        bits |= BIT[dy][dx];
            put_utf8(out, 0x2800 + bits);
        }
        fputc('\n', out);
    }
    fprintf(out, "%7s ", "");
    put_utf8(out, 0x2514);
    for (int x = 0; x < width; x++)
        put_utf8(out, 0x2500);
    fprintf(out, "\n%8s%-*.4g%*.4g ms\n", "", width / 2, t0 * 1e3, width - width / 2 - 2, t1 * 1e3);
    free(dots);
}

void term_rate(FILE *out, const double *t, size_t n, unsigned size, double t0, double t1,
               int width, int height)
{
    if (width < 4)
        width = 4;
    if (height < 1)
        height = 1;
    double *rate = calloc((size_t)width, sizeof *rate);
    if (!rate || !size || !(t1 > t0)) {
        free(rate);
        return;
    }
    double bin = (t1 - t0) / width;
    for (size_t k = 0; k < n; k++) {
        if (t[k] < t0 || t[k] >= t1)
            continue;
        int b = (int)((t[k] - t0) / bin);
        rate[b < width ? b : width - 1] += 1.0;
    }
    double top = 0;
    for (int b = 0; b < width; b++) {
        rate[b] /= (double)size * bin;
        if (rate[b] > top)
            top = rate[b];
    }
    for (int y = height - 1; y >= 0; y--) {
        if (y == height - 1)
            fprintf(out, "%9.4g ", top);
        else if (y == 0)
            fprintf(out, "%9d ", 0);
        else
            fprintf(out, "%9s ", "");
        put_utf8(out, 0x2502);
        for (int b = 0; b < width; b++) {
            /* eighths of this row filled */
            double h = top > 0 ? rate[b] / top * height * 8 : 0;
            double fill = h - y * 8;
            int e = fill >= 8 ? 8 : fill <= 0 ? 0 : (int)lround(fill);
            if (e == 0)
                fputc(' ', out);
            else
                put_utf8(out, 0x2580 + (unsigned)e); /* U+2581..2588: 1/8 .. full block */
        }
        fputc('\n', out);
    }
    fprintf(out, "%9s ", "");
    put_utf8(out, 0x2514);
    for (int x = 0; x < width; x++)
        put_utf8(out, 0x2500);
    fprintf(out, "\n%10s%-*.4g%*.4g ms\n", "", width / 2, t0 * 1e3, width - width / 2 - 2, t1 * 1e3);
    free(rate);
}
