/* sheets.c – join sheets as PDF (team, room, challenge, its members, the code in large type, a
 * QR code) and the door list (everyone by surname, with team and room). */
#include "report/sheets.h"
#include "util/xalloc.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <dlfcn.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A4_W 595.276   /* points */
#define A4_H 841.890
#define MARGIN 56.0

typedef struct {
    unsigned char *data;
    size_t len, cap;
} buf_t;

static cairo_status_t buf_write(void *closure, const unsigned char *data, unsigned int n)
{
    buf_t *b = closure;
    xgrow((void **)&b->data, &b->cap, b->len + n, 1);
    memcpy(b->data + b->len, data, n);
    b->len += n;
    return CAIRO_STATUS_SUCCESS;
}

void sheets_cleanup(void)
{
    /* Fontconfig and cairo keep caches for the process; give them back at exit so a
     * leak checker sees only real leaks. */
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    /* Fontconfig comes in through pango; it is looked up rather than linked so the
     * build needs no flags of its own for it. */
    void (*fc_fini)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "FcFini");
    if (fc_fini != NULL)
        fc_fini();
}

char *sheets_join_url(const char *base_url, const char *code)
{
    size_t n = strlen(base_url) + strlen(code) + 16;
    char *s = xmalloc(n);
    snprintf(s, n, "%s/#/join/%s", base_url, code);
    return s;
}

/* Draws text at (x, y) within width w; returns the height used. */
static double text(cairo_t *cr, const char *font, const char *s, double x, double y, double w,
                   PangoAlignment align)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    pango_layout_set_text(l, s, -1);
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    pango_font_description_free(fd);
    g_object_unref(l);
    return (double)ph / PANGO_SCALE;
}

static const char *lang(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The QR code as dark squares, size x size points, with its quiet zone inside. */
static int qr(cairo_t *cr, const char *url, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (q == NULL)
        return -1;
    double m = size / (q->width + 8);   /* 4 modules of quiet zone each side */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int r = 0; r < q->width; r++)
        for (int c = 0; c < q->width; c++)
            if (q->data[r * q->width + c] & 1)
                cairo_rectangle(cr, x + (c + 4) * m, y + (r + 4) * m, m, m);
    cairo_fill(cr);
    QRcode_free(q);
    return 0;
}

static int page(cairo_t *cr, const json_t *t, const char *title, const char *base_url)
{
    const double w = A4_W - 2 * MARGIN;
    const char *code = lang(t, "code");
    double y = MARGIN;
    char line[512];
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    y += text(cr, "DejaVu Sans 11", title, MARGIN, y, w, PANGO_ALIGN_LEFT) + 18;
    cairo_set_source_rgb(cr, 0, 0, 0);
    y += text(cr, "DejaVu Sans Bold 30", lang(t, "name"), MARGIN, y, w, PANGO_ALIGN_LEFT) + 8;
    const json_t *room = json_object_get(t, "room"), *ch = json_object_get(t, "challenge");
    snprintf(line, sizeof line, "%s  ·  %s", lang(room, "nl"), lang(room, "en"));
    y += text(cr, "DejaVu Sans 13", line, MARGIN, y, w, PANGO_ALIGN_LEFT) + 4;
    if (json_is_object(ch)) {
        snprintf(line, sizeof line, "Challenge: %s\n(%s)", lang(ch, "nl"), lang(ch, "en"));
        y += text(cr, "DejaVu Sans 13", line, MARGIN, y, w, PANGO_ALIGN_LEFT);
    }
    /* The members, so people find their team: in up to three columns. */
    const json_t *members = json_object_get(t, "members");
    size_t nm = json_array_size(members);
    double qs = 220;
    if (nm > 0) {
        y += 14;
        y += text(cr, "DejaVu Sans Bold 12", "In dit team / In this team", MARGIN, y, w, PANGO_ALIGN_LEFT) + 4;
        int cols = nm > 16 ? 3 : 2;
        size_t per = (nm + (size_t)cols - 1) / (size_t)cols;
        double colw = w / cols, top = y, bottom = y;
        for (int c = 0; c < cols; c++) {
            double cy = top;
            for (size_t k = (size_t)c * per; k < nm && k < (size_t)(c + 1) * per; k++)
                cy += text(cr, "DejaVu Sans 11", json_string_value(json_array_get(members, k)), MARGIN + c * colw, cy,
                           colw - 8, PANGO_ALIGN_LEFT) + 1;
            if (cy > bottom)
                bottom = cy;
        }
        y = bottom;
        qs = 160;
    }
    y += nm > 0 ? 14 : 30;
    y += text(cr, "DejaVu Sans 14", "Teamcode / Team code", MARGIN, y, w, PANGO_ALIGN_CENTER) + 4;
    y += text(cr, nm > 0 ? "DejaVu Sans Mono Bold 40" : "DejaVu Sans Mono Bold 54", code, MARGIN, y, w,
              PANGO_ALIGN_CENTER) + (nm > 0 ? 10 : 20);
    char *url = sheets_join_url(base_url, code);
    int rc = qr(cr, url, (A4_W - qs) / 2, y, qs);
    y += qs + 6;
    y += text(cr, "DejaVu Sans Mono 10", url, MARGIN, y, w, PANGO_ALIGN_CENTER) + 26;
    free(url);
    snprintf(line, sizeof line,
             "Scan de QR-code of open %s/ en vul de teamcode in. Kies daarna je naam uit de lijst. "
             "Je hebt geen account nodig.",
             base_url);
    y += text(cr, "DejaVu Sans 12", line, MARGIN, y, w, PANGO_ALIGN_LEFT) + 10;
    snprintf(line, sizeof line,
             "Scan the QR code or open %s/ and enter the team code. Then pick your name from the "
             "list. You do not need an account.",
             base_url);
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    text(cr, "DejaVu Sans Oblique 12", line, MARGIN, y, w, PANGO_ALIGN_LEFT);
    cairo_show_page(cr);
    return rc;
}

int sheets_render(const json_t *teams, const char *title, const char *base_url,
                  unsigned char **pdf, size_t *len)
{
    buf_t b = {0};
    *pdf = NULL;
    *len = 0;
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(buf_write, &b, A4_W, A4_H);
    cairo_t *cr = cairo_create(s);
    int rc = 0;
    size_t i;
    json_t *t;
    json_array_foreach(teams, i, t)
        if (page(cr, t, title ? title : "", base_url) != 0)
            rc = -1;
    if (json_array_size(teams) == 0) {
        text(cr, "DejaVu Sans 16",
             "Er zijn nog geen teams met een code.\n(There are no teams with a code yet.)", MARGIN,
             MARGIN, A4_W - 2 * MARGIN, PANGO_ALIGN_LEFT);
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = -1;
    cairo_surface_destroy(s);
    if (rc != 0) {
        free(b.data);
        return -1;
    }
    *pdf = b.data;
    *len = b.len;
    return 0;
}

/* One row of the door list at y; returns its height. */
static double door_row(cairo_t *cr, const char *a, const char *b, const char *c, double y, const char *font)
{
    const double w = A4_W - 2 * MARGIN;
    double h1 = text(cr, font, a, MARGIN, y, w * 0.36, PANGO_ALIGN_LEFT);
    double h2 = text(cr, font, b, MARGIN + w * 0.37, y, w * 0.21, PANGO_ALIGN_LEFT);
    double h3 = text(cr, font, c, MARGIN + w * 0.59, y, w * 0.41, PANGO_ALIGN_LEFT);
    double h = h1 > h2 ? h1 : h2;
    return h > h3 ? h : h3;
}

static double door_head(cairo_t *cr, const char *title, int page_no)
{
    char line[300];
    double y = MARGIN;
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    snprintf(line, sizeof line, "%s  ·  %d", title, page_no);
    y += text(cr, "DejaVu Sans 10", line, MARGIN, y, A4_W - 2 * MARGIN, PANGO_ALIGN_LEFT) + 6;
    cairo_set_source_rgb(cr, 0, 0, 0);
    y += text(cr, "DejaVu Sans Bold 16", "Wie zit in welk team? / Who is in which team?", MARGIN, y,
              A4_W - 2 * MARGIN, PANGO_ALIGN_LEFT) + 10;
    y += door_row(cr, "Naam / Name (A–Z op achternaam / by surname)", "Team", "Zaal / Room", y, "DejaVu Sans Bold 10") + 4;
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, MARGIN, y);
    cairo_line_to(cr, A4_W - MARGIN, y);
    cairo_stroke(cr);
    return y + 4;
}

int sheets_door_render(const json_t *rows, const char *title, unsigned char **pdf, size_t *len)
{
    buf_t b = {0};
    *pdf = NULL;
    *len = 0;
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(buf_write, &b, A4_W, A4_H);
    cairo_t *cr = cairo_create(s);
    int page_no = 1;
    double y = door_head(cr, title ? title : "", page_no);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        if (y > A4_H - MARGIN - 20) {
            cairo_show_page(cr);
            y = door_head(cr, title ? title : "", ++page_no);
        }
        char room[256];
        const json_t *rm = json_object_get(r, "room");
        snprintf(room, sizeof room, "%s", lang(rm, "nl"));
        y += door_row(cr, lang(r, "name"), lang(r, "team"), room, y, "DejaVu Sans 10") + 3;
    }
    if (json_array_size(rows) == 0)
        text(cr, "DejaVu Sans 14", "Er is nog niemand ingedeeld.\n(Nobody has been assigned yet.)", MARGIN, y,
             A4_W - 2 * MARGIN, PANGO_ALIGN_LEFT);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    int rc = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(s);
    if (rc != 0) {
        free(b.data);
        return -1;
    }
    *pdf = b.data;
    *len = b.len;
    return 0;
}
