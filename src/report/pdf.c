/* pdf.c – the A4 report with cairo and pango (see pdf.h).
 *
 * A report of a real day: only teams that took part (someone joined, or work was left)
 * get a page (the others are listed once, under their challenge); only scored teams are ranked; Dutch dates ("13 maart
 * 2027") and plurals ("1 jurylid"); "geen winnaar" where there is none; the cover counts
 * the people who took part. */
#include "report/pdf.h"
#include "report/md.h"
#include "report/model.h"
#include "util/xalloc.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN 56.7
#define TOP 70.0
#define BOTTOM (PAGE_H - 64.0)
#define CW (PAGE_W - 2 * MARGIN)
#define FONT "DejaVu Sans, Liberation Sans, sans"
#define TOC_LINE 17.0

typedef struct {
    char title[160];
    int level, page;
} toc_t;

typedef struct {
    cairo_surface_t *surf;
    cairo_t *cr;
    const json_t *doc;
    int pass, page, toc_pages;
    double y;
    toc_t *toc;
    size_t ntoc, captoc;
    const toc_t *prev;     /* the first pass's entries, for the table of contents */
    size_t nprev;
    int outline_challenge; /* outline id of the current challenge (second pass) */
} pdf_t;

static void rgb(cairo_t *cr, unsigned hex)
{
    cairo_set_source_rgb(cr, (hex >> 16 & 255) / 255.0, (hex >> 8 & 255) / 255.0, (hex & 255) / 255.0);
}

enum { C_TEXT = 0x222222, C_GREY = 0x6b6b6b, C_BLUE = 0x154273, C_SKY = 0x01689b, C_LIGHT = 0xdce8f1 };

/* A layout of text at size pt, wrapped at width, Dutch line breaking. */
static PangoLayout *layout(pdf_t *p, const char *text, double pt, int bold, int italic, double width)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(FONT);
    pango_font_description_set_absolute_size(fd, pt * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    if (italic)
        pango_font_description_set_style(fd, PANGO_STYLE_ITALIC);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    PangoAttrList *al = pango_attr_list_new();
    pango_attr_list_insert(al, pango_attr_language_new(pango_language_from_string("nl")));
    pango_layout_set_attributes(l, al);
    pango_attr_list_unref(al);
    if (width > 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        /* Long Dutch compounds may break inside a word (pango adds the hyphen). */
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_line_spacing(l, 1.15f);
    pango_layout_set_text(l, text, -1);
    return l;
}

static double height(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static double lwidth(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)w / PANGO_SCALE;
}

static void draw(pdf_t *p, PangoLayout *l, double x, double y, unsigned color)
{
    rgb(p->cr, color);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

/* Draws text at (x, y) and returns its height. */
static double text_at(pdf_t *p, const char *s, double x, double y, double pt, int bold, double width, unsigned color)
{
    PangoLayout *l = layout(p, s, pt, bold, 0, width);
    draw(p, l, x, y, color);
    double h = height(l);
    g_object_unref(l);
    return h;
}

static const char *sprint_title(const pdf_t *p) { return rm_str(json_object_get(p->doc, "sprint"), "title"); }

/* Ends the current page and begins the next with its running header and page number. */
static void new_page(pdf_t *p)
{
    if (p->page > 0)
        cairo_show_page(p->cr);
    p->page++;
    p->y = TOP;
    if (p->page == 1)
        return;   /* the cover has neither */
    cairo_set_line_width(p->cr, 0.6);
    rgb(p->cr, C_SKY);
    cairo_move_to(p->cr, MARGIN, 50);
    cairo_line_to(p->cr, PAGE_W - MARGIN, 50);
    cairo_stroke(p->cr);
    text_at(p, sprint_title(p), MARGIN, 36, 7.5, 0, CW, C_GREY);
    char num[32];
    snprintf(num, sizeof num, "%d", p->page);
    PangoLayout *l = layout(p, num, 8.5, 0, 0, 0);
    draw(p, l, PAGE_W - MARGIN - lwidth(l), PAGE_H - 44, C_GREY);
    g_object_unref(l);
    text_at(p, "Resultaten van de Staatsprint", MARGIN, PAGE_H - 44, 7.5, 0, 0, C_GREY);
}

static void ensure(pdf_t *p, double h)
{
    if (p->y + h > BOTTOM && p->y > TOP)
        new_page(p);
}

static void toc_add(pdf_t *p, const char *title, int level)
{
    xgrow((void **)&p->toc, &p->captoc, p->ntoc + 1, sizeof *p->toc);
    toc_t *t = &p->toc[p->ntoc++];
    snprintf(t->title, sizeof t->title, "%s", title);
    t->level = level;
    t->page = p->page;
    if (p->pass == 2) {
        char dest[32];
        snprintf(dest, sizeof dest, "page=%d", p->page);
        int id = cairo_pdf_surface_add_outline(p->surf, level == 1 ? CAIRO_PDF_OUTLINE_ROOT : p->outline_challenge,
                                               title, dest, 0);
        if (level == 1)
            p->outline_challenge = id;
    }
}

/* A heading; level 1 and 2 go into the table of contents. It keeps room for what
 * follows so it never ends a page alone. */
static void heading(pdf_t *p, const char *s, int level)
{
    static const double size[] = {0, 20, 15, 11};
    PangoLayout *l = layout(p, s, size[level], 1, 0, CW);
    double h = height(l);
    ensure(p, h + (level == 3 ? 48 : 90));
    if (level < 3)
        toc_add(p, s, level);
    p->y += level == 3 ? 8 : 4;
    draw(p, l, MARGIN, p->y, level == 3 ? C_SKY : C_BLUE);
    p->y += h + (level == 3 ? 3 : 8);
    g_object_unref(l);
}

/* A paragraph at the cursor, indented by indent; moves to a new page when it does not fit. */
static void para(pdf_t *p, const char *s, double pt, int bold, int italic, double indent, unsigned color)
{
    if (s == NULL || s[0] == '\0')
        return;
    PangoLayout *l = layout(p, s, pt, bold, italic, CW - indent);
    double h = height(l);
    ensure(p, h);
    draw(p, l, MARGIN + indent, p->y, color);
    p->y += h + 3;
    g_object_unref(l);
}

/* A label and its text side by side (canvas fields, programme, ranking). */
static void field_w(pdf_t *p, const char *label, const char *text, double lw)
{
    PangoLayout *a = layout(p, label, 8.5, 1, 0, lw - 10), *b = layout(p, text[0] ? text : "–", 9, 0, 0, CW - lw);
    double h = height(a) > height(b) ? height(a) : height(b);
    ensure(p, h + 4);
    draw(p, a, MARGIN, p->y + 0.5, C_BLUE);
    draw(p, b, MARGIN + lw, p->y, C_TEXT);
    p->y += h + 4;
    g_object_unref(a);
    g_object_unref(b);
}

static void field(pdf_t *p, const char *label, const char *text) { field_w(p, label, text, 150); }

/* Whether a canvas of a team has any text. */
static int canvas_filled(const json_t *team, const char *id)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(json_object_get(team, "canvases"), id), k, v)
        if (json_string_length(v) > 0)
            return 1;
    return 0;
}

/* Only a canvas the team filled in: an empty one is no part of the team's work. */
static void canvas(pdf_t *p, const json_t *team, const char *id, const char *title)
{
    size_t i, j;
    json_t *c, *fd;
    const json_t *values = json_object_get(json_object_get(team, "canvases"), id);
    if (!canvas_filled(team, id))
        return;
    json_array_foreach(json_object_get(p->doc, "canvases"), i, c) {
        if (strcmp(rm_str(c, "id"), id) != 0)
            continue;
        heading(p, title ? title : rm_str(c, "name"), 3);
        json_array_foreach(json_object_get(c, "fields"), j, fd)
            field(p, rm_str(fd, "name"), rm_str(values, rm_str(fd, "id")));
    }
}

/* Horizontal bars: one row per label with its count; counts of an unrevealed vote
 * are shown as a dash. */
static void bars(pdf_t *p, const char *const *labels, const int *values, const int *marked, size_t n)
{
    const double lw = 215, bw = CW - lw - 40;
    int max = 1;
    for (size_t i = 0; i < n; i++)
        if (values[i] > max)
            max = values[i];
    for (size_t i = 0; i < n; i++) {
        PangoLayout *l = layout(p, labels[i], 8.5, marked && marked[i], 0, lw - 8);
        double h = height(l) < 13 ? 13 : height(l);
        ensure(p, h + 5);
        draw(p, l, MARGIN, p->y, C_TEXT);
        g_object_unref(l);
        double x = MARGIN + lw, w = values[i] > 0 ? bw * values[i] / max : 0;
        rgb(p->cr, C_LIGHT);
        cairo_rectangle(p->cr, x, p->y + 1, bw, 10);
        cairo_fill(p->cr);
        rgb(p->cr, marked && marked[i] ? C_BLUE : C_SKY);
        cairo_rectangle(p->cr, x, p->y + 1, w, 10);
        cairo_fill(p->cr);
        char num[16];
        if (values[i] < 0)
            snprintf(num, sizeof num, "–");
        else
            snprintf(num, sizeof num, "%d", values[i]);
        text_at(p, num, x + bw + 6, p->y - 0.5, 8.5, 1, 0, C_TEXT);
        p->y += h + 5;
    }
}

static int ival(const json_t *v) { return json_is_integer(v) ? (int)json_integer_value(v) : -1; }

/* The ideas of the Idee Race over time: a step line of the running count, with the
 * round boundary marked. */
static void race_chart(pdf_t *p, const json_t *team)
{
    const json_t *race = json_object_get(team, "race"), *ideas = json_object_get(team, "ideas");
    size_t n = json_array_size(ideas), i;
    json_t *e;
    double total_ms = 0, bounds[8];
    int nb = 0;
    json_array_foreach(json_object_get(race, "rounds"), i, e) {
        total_ms += json_is_integer(json_object_get(e, "duration_ms")) ? (double)rm_int(e, "duration_ms") : 0;
        if (nb < 8)
            bounds[nb++] = total_ms;
    }
    json_array_foreach(ideas, i, e)
        if ((double)rm_int(e, "elapsed_ms") > total_ms)
            total_ms = (double)rm_int(e, "elapsed_ms");
    if (total_ms <= 0)
        total_ms = 1;
    const double h = 120, x0 = MARGIN + 30, w = CW - 40;
    ensure(p, h + 30);
    double y0 = p->y + 4, ybase = y0 + h;
    int ymax = n > 0 ? (int)n : 1;
    cairo_t *cr = p->cr;
    cairo_set_line_width(cr, 0.5);
    rgb(cr, C_GREY);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x0, ybase);
    cairo_line_to(cr, x0 + w, ybase);
    cairo_stroke(cr);
    char lab[48];
    snprintf(lab, sizeof lab, "%d", ymax);
    text_at(p, lab, MARGIN, y0 - 5, 7.5, 0, 0, C_GREY);
    text_at(p, "0", MARGIN + 18, ybase - 6, 7.5, 0, 0, C_GREY);
    /* Round boundaries as dashed lines, each round named. */
    double prev = 0;
    for (int b = 0; b < nb; b++) {
        double xb = x0 + w * bounds[b] / total_ms;
        snprintf(lab, sizeof lab, "Ronde %d", b + 1);
        text_at(p, lab, x0 + w * prev / total_ms + 4, y0, 7.5, 0, 0, C_GREY);
        if (b + 1 < nb) {
            double dash[] = {3, 3};
            cairo_set_dash(cr, dash, 2, 0);
            cairo_move_to(cr, xb, y0);
            cairo_line_to(cr, xb, ybase);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
        }
        prev = bounds[b];
    }
    /* The step line (ideas are in time order within each round, rounds in order). */
    double *ts = xcalloc(n ? n : 1, sizeof *ts);
    json_array_foreach(ideas, i, e)
        ts[i] = (double)rm_int(e, "elapsed_ms");
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && ts[b] < ts[b - 1]; b--) {
            double t = ts[b];
            ts[b] = ts[b - 1];
            ts[b - 1] = t;
        }
    rgb(cr, C_BLUE);
    cairo_set_line_width(cr, 1.6);
    cairo_move_to(cr, x0, ybase);
    double x = x0, y = ybase;
    for (size_t k = 0; k < n; k++) {
        x = x0 + w * ts[k] / total_ms;
        cairo_line_to(cr, x, y);
        y = ybase - h * (double)(k + 1) / ymax;
        cairo_line_to(cr, x, y);
    }
    cairo_line_to(cr, x0 + w, y);
    cairo_stroke(cr);
    free(ts);
    snprintf(lab, sizeof lab, "tijd in de race (%.0f s in totaal)", total_ms / 1000.0);
    text_at(p, lab, x0 + w - 150, ybase + 3, 7.5, 0, 150, C_GREY);
    p->y = ybase + 18;
}

static unsigned kind_color(const char *k)
{
    if (strcmp(k, "goal") == 0)
        return 0x39870c;
    if (strcmp(k, "role") == 0)
        return 0x01689b;
    if (strcmp(k, "dropped") == 0)
        return 0xd52b1e;
    return 0xe17000;
}

/* A Crystal Ball timeline: Nu … 5 jaar, milestones under their year, coloured by kind. */
static void timeline(pdf_t *p, const json_t *idea, int years)
{
    const json_t *ms = json_object_get(idea, "milestones");
    const double colw = CW / (years + 1);
    /* Measure the tallest stack of labels first, so the whole timeline stays on one page. */
    double stack[16] = {0}, tallest = 0;
    size_t i;
    json_t *m;
    json_array_foreach(ms, i, m) {
        int at = (int)rm_int(m, "at");
        if (at < 0 || at > years)
            continue;
        PangoLayout *l = layout(p, rm_str(m, "text"), 7.5, 0, 0, colw - 12);
        stack[at] += height(l) + 12;
        g_object_unref(l);
        if (stack[at] > tallest)
            tallest = stack[at];
    }
    PangoLayout *title = layout(p, rm_str(idea, "text"), 9.5, 1, 0, CW);
    ensure(p, height(title) + 40 + tallest);
    draw(p, title, MARGIN, p->y, C_TEXT);
    p->y += height(title) + 6;
    g_object_unref(title);
    cairo_t *cr = p->cr;
    double ly = p->y + 14;
    rgb(cr, C_BLUE);
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, MARGIN + colw / 2, ly);
    cairo_line_to(cr, MARGIN + CW - colw / 2, ly);
    cairo_stroke(cr);
    for (int y = 0; y <= years; y++) {
        double cx = MARGIN + colw * (y + 0.5);
        cairo_new_path(cr);   /* the label before leaves a current point the arc would join */
        cairo_arc(cr, cx, ly, 3, 0, 6.2832);
        rgb(cr, C_BLUE);
        cairo_fill(cr);
        char lab[24];
        if (y == 0)
            snprintf(lab, sizeof lab, "Nu");
        else
            snprintf(lab, sizeof lab, "%d jaar", y);
        PangoLayout *l = layout(p, lab, 7.5, 1, 0, 0);
        draw(p, l, cx - lwidth(l) / 2, ly - 15, C_BLUE);
        g_object_unref(l);
    }
    double at_y[16];
    for (int y = 0; y <= years && y < 16; y++)
        at_y[y] = ly + 8;
    json_array_foreach(ms, i, m) {
        int at = (int)rm_int(m, "at");
        if (at < 0 || at > years || at >= 16)
            continue;
        double cx = MARGIN + colw * at + 4;
        unsigned col = kind_color(rm_str(m, "kind"));
        rgb(cr, col);
        cairo_rectangle(cr, cx, at_y[at] + 2, 6, 6);
        cairo_fill(cr);
        PangoLayout *k = layout(p, report_label_nl(rm_str(m, "kind")), 6.5, 1, 0, 0);
        draw(p, k, cx + 9, at_y[at], col);
        g_object_unref(k);
        PangoLayout *l = layout(p, rm_str(m, "text"), 7.5, 0, 0, colw - 12);
        draw(p, l, cx, at_y[at] + 10, C_TEXT);
        at_y[at] += height(l) + 12;
        g_object_unref(l);
    }
    p->y = ly + 10 + tallest + 6;
}

static const char *room_name(const pdf_t *p, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(p->doc, "rooms"), i, r)
        if (strcmp(rm_str(r, "id"), id) == 0)
            return rm_str(r, "name");
    return id;
}

/* Whether a team left any work: notes, items, votes, ideas or canvas text. A team without
 * any gets no page of its own. */
static int team_worked(const json_t *t)
{
    const char *k;
    json_t *v;
    if (json_array_size(json_object_get(json_object_get(t, "problems"), "clusters")) ||
        json_array_size(json_object_get(json_object_get(t, "knelpunten"), "items")) ||
        json_array_size(json_object_get(json_object_get(t, "themes"), "clusters")) ||
        json_array_size(json_object_get(t, "ideas")) || json_array_size(json_object_get(t, "chosen")) ||
        rm_int(json_object_get(t, "race"), "total") > 0)
        return 1;
    json_object_foreach(json_object_get(t, "canvases"), k, v)
        if (canvas_filled(t, k))
            return 1;
    return 0;
}

/* Whether a team took part: someone joined it, or it left work. */
static int took_part(const json_t *t)
{
    return json_array_size(json_object_get(t, "members")) > 0 || team_worked(t);
}

/* "1 jurylid", "3 juryleden": a count with the Dutch singular or plural. */
static const char *count_nl(char *buf, size_t len, long long n, const char *one, const char *many)
{
    snprintf(buf, len, "%lld %s", n, n == 1 ? one : many);
    return buf;
}

/* An ISO date ("2027-03-13") in Dutch ("13 maart 2027"); anything else as it is. */
static const char *date_nl(char *buf, size_t len, const char *iso)
{
    static const char *const months[] = {"januari", "februari", "maart",     "april",   "mei",      "juni",
                                         "juli",    "augustus", "september", "oktober", "november", "december"};
    int y, m, d;
    char rest;
    if (sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &rest) == 3 && m >= 1 && m <= 12 && d >= 1 && d <= 31)
        snprintf(buf, len, "%d %s %d", d, months[m - 1], y);
    else
        snprintf(buf, len, "%s", iso);
    return buf;
}

static void team_section(pdf_t *p, const json_t *t)
{
    size_t i, j;
    json_t *m, *c, *n;
    char buf[1024];
    new_page(p);
    heading(p, rm_str(t, "name"), 2);
    const char *tn = rm_str(json_object_get(json_object_get(t, "canvases"), "pitch"), "team_name");
    snprintf(buf, sizeof buf, "%s%s%s", room_name(p, rm_str(t, "room")), tn[0] ? " · pitch als " : "", tn);
    para(p, buf, 8.5, 0, 1, 0, C_GREY);

    heading(p, "Teamleden", 3);
    json_array_foreach(json_object_get(t, "members"), i, m) {
        int len = snprintf(buf, sizeof buf, "%s%s%s", json_object_get(m, "name") ? rm_str(m, "name") : "",
                           json_object_get(m, "name") ? " – " : "",
                           rm_str(m, "organisation")[0] ? rm_str(m, "organisation") : "organisatie onbekend");
        if (rm_str(m, "role")[0] && len < (int)sizeof buf)
            len += snprintf(buf + len, sizeof buf - (size_t)len, ", %s", rm_str(m, "role"));
        json_array_foreach(json_object_get(m, "team_roles"), j, n)
            if (len < (int)sizeof buf)
                len += snprintf(buf + len, sizeof buf - (size_t)len, " (%s)", report_label_nl(json_string_value(n)));
        para(p, buf, 9, 0, 0, 8, C_TEXT);
    }
    if (json_array_size(json_object_get(t, "members")) == 0)
        para(p, "Niemand heeft zich bij dit team aangemeld.", 9, 0, 1, 8, C_GREY);

    if (json_array_size(json_object_get(json_object_get(t, "problems"), "clusters")))
        heading(p, "Clusters uit ‘Maak je hoofd leeg’", 3);
    json_array_foreach(json_object_get(json_object_get(t, "problems"), "clusters"), i, c) {
        size_t nn = json_array_size(json_object_get(c, "notes"));
        snprintf(buf, sizeof buf, "%s (%zu %s)", rm_str(c, "name"), nn, nn == 1 ? "briefje" : "briefjes");
        para(p, buf, 9, 1, 0, 0, C_TEXT);
        int len = 0;
        buf[0] = '\0';
        json_array_foreach(json_object_get(c, "notes"), j, n)
            if (len < (int)sizeof buf)
                len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s", j ? " · " : "", json_string_value(n));
        para(p, buf, 8.5, 0, 0, 8, C_TEXT);
    }

    const json_t *items = json_object_get(json_object_get(t, "knelpunten"), "items");
    size_t ni = json_array_size(items);
    if (ni)
        heading(p, "Knelpunten en stippen", 3);
    const char **labels = xcalloc(ni + 1, sizeof *labels);
    int *vals = xcalloc(ni + 1, sizeof *vals), *mark = xcalloc(ni + 1, sizeof *mark);
    json_array_foreach(items, i, c) {
        labels[i] = rm_str(c, "text");
        vals[i] = ival(json_object_get(c, "dots"));
    }
    bars(p, labels, vals, NULL, ni);
    free(labels);
    free(vals);
    free(mark);

    canvas(p, t, "vehicle", NULL);

    const json_t *themes = json_object_get(json_object_get(t, "themes"), "clusters");
    size_t nt = json_array_size(themes);
    if (nt)
        heading(p, "HKW-thema's en stemmen", 3);
    labels = xcalloc(nt + 1, sizeof *labels);
    vals = xcalloc(nt + 1, sizeof *vals);
    mark = xcalloc(nt + 1, sizeof *mark);
    json_array_foreach(themes, i, c) {
        labels[i] = rm_str(c, "name");
        vals[i] = ival(json_object_get(c, "dots"));
        mark[i] = json_is_true(json_object_get(c, "chosen"));
    }
    bars(p, labels, vals, mark, nt);
    free(labels);
    free(vals);
    free(mark);
    json_array_foreach(themes, i, c) {
        int len = snprintf(buf, sizeof buf, "%s%s: ", rm_str(c, "name"),
                           json_is_true(json_object_get(c, "chosen")) ? " (gekozen)" : "");
        json_array_foreach(json_object_get(c, "notes"), j, n)
            if (len < (int)sizeof buf)
                len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s", j ? " · " : "", json_string_value(n));
        para(p, buf, 8, 0, 0, 8, C_GREY);
    }

    canvas(p, t, "problem", "Probleemstelling");

    const json_t *race = json_object_get(t, "race");
    heading(p, "Idee Race", 3);
    int len = snprintf(buf, sizeof buf, "%lld %s", rm_int(race, "total"), rm_int(race, "total") == 1 ? "idee" : "ideeën");
    json_array_foreach(json_object_get(race, "rounds"), i, c)
        if (len < (int)sizeof buf)
            len += snprintf(buf + len, sizeof buf - (size_t)len, "%s ronde %lld: %lld", i ? "," : " –",
                            rm_int(c, "round"), rm_int(c, "count"));
    if (json_is_true(json_object_get(race, "won")) && len < (int)sizeof buf)
        snprintf(buf + len, sizeof buf - (size_t)len, ". Winnaar van de zaal: 2 flip-overvellen voor de pitch!");
    para(p, buf, 9, 0, 0, 0, C_TEXT);
    if (rm_int(race, "total") > 0)
        race_chart(p, t);

    if (json_array_size(json_object_get(t, "chosen")))
        heading(p, "Gekozen ideeën", 3);
    json_array_foreach(json_object_get(t, "chosen"), i, c) {
        int v = ival(json_object_get(c, "votes"));
        snprintf(buf, sizeof buf, "%zu. %s (%d %s)", i + 1, rm_str(c, "text"), v < 0 ? 0 : v, v == 1 ? "stem" : "stemmen");
        para(p, buf, 9.5, 1, 0, 0, C_TEXT);
    }
    if (json_is_true(json_object_get(t, "ideas_decided_by_captain")))
        para(p, "Bij gelijke stand hakte de teamcaptain de knoop door.", 8, 0, 1, 0, C_GREY);

    if (json_array_size(json_object_get(t, "chosen")))
        heading(p, "Glazen Bol: van nu naar over 5 jaar", 3);
    json_array_foreach(json_object_get(t, "chosen"), i, c)
        timeline(p, c, 5);

    canvas(p, t, "pitch", "Flip-over pitch");
    canvas(p, t, "plan", "Actieplan");
}

static void cover(pdf_t *p)
{
    const json_t *sp = json_object_get(p->doc, "sprint");
    cairo_t *cr = p->cr;
    rgb(cr, C_BLUE);
    cairo_rectangle(cr, 0, 0, PAGE_W, 300);
    cairo_fill(cr);
    text_at(p, "Resultaten", MARGIN, 120, 14, 0, CW, 0xffffff);
    text_at(p, rm_str(sp, "title"), MARGIN, 145, 26, 1, CW, 0xffffff);
    char buf[512], day[64];
    snprintf(buf, sizeof buf, "%s · %s", date_nl(day, sizeof day, rm_str(sp, "date")), rm_str(sp, "venue"));
    double y = 340;
    y += text_at(p, buf, MARGIN, y, 13, 0, CW, C_TEXT) + 6;
    snprintf(buf, sizeof buf, "Georganiseerd door %s", rm_str(sp, "organiser"));
    y += text_at(p, buf, MARGIN, y, 11, 0, CW, C_GREY) + 30;
    /* The people who took part: the members who joined a team, not the teams planned. */
    size_t nteams = 0, members = 0, ideas = 0, i;
    json_t *t;
    json_array_foreach(json_object_get(p->doc, "teams"), i, t) {
        members += json_array_size(json_object_get(t, "members"));
        ideas += json_array_size(json_object_get(t, "ideas"));
        nteams += took_part(t);
    }
    char a[48], b[48], c[48], d[48];
    snprintf(buf, sizeof buf, "%s · %s · %s · %s in de Idee Race",
             count_nl(a, sizeof a, (long long)json_array_size(json_object_get(p->doc, "challenges")), "challenge", "challenges"),
             count_nl(b, sizeof b, (long long)nteams, "team", "teams"),
             count_nl(c, sizeof c, (long long)members, "deelnemer", "deelnemers"),
             count_nl(d, sizeof d, (long long)ideas, "idee", "ideeën"));
    text_at(p, buf, MARGIN, y, 11, 1, CW, C_SKY);
    text_at(p, json_is_true(json_object_get(p->doc, "names"))
                   ? "Dit verslag noemt deelnemers bij naam, op verzoek van de organisator."
                   : "Dit verslag noemt deelnemers alleen met hun organisatie en rol, niet bij naam.",
            MARGIN, BOTTOM - 10, 8.5, 0, CW, C_GREY);
}

static void toc(pdf_t *p)
{
    for (int k = 0; k < p->toc_pages; k++) {
        new_page(p);
        if (k == 0) {
            text_at(p, "Inhoud", MARGIN, p->y, 20, 1, CW, C_BLUE);
            p->y += 40;
        }
        if (p->pass == 1)
            continue;
        size_t per = (size_t)((BOTTOM - TOP - 40) / TOC_LINE), from = (size_t)k * per;
        for (size_t i = from; i < p->nprev && i < from + per; i++) {
            const toc_t *e = &p->prev[i];
            double x = MARGIN + (e->level == 2 ? 16 : 0);
            PangoLayout *l = layout(p, e->title, e->level == 1 ? 10 : 9.5, e->level == 1, 0, CW - 60 - (x - MARGIN));
            pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
            draw(p, l, x, p->y, e->level == 1 ? C_BLUE : C_TEXT);
            double tw = lwidth(l);
            g_object_unref(l);
            char num[16];
            snprintf(num, sizeof num, "%d", e->page);
            PangoLayout *n = layout(p, num, 9.5, 0, 0, 0);
            double nx = PAGE_W - MARGIN - lwidth(n);
            draw(p, n, nx, p->y, C_TEXT);
            g_object_unref(n);
            /* Dot leaders between title and page number. */
            double dash[] = {0.6, 2.4};
            cairo_set_dash(p->cr, dash, 2, 0);
            cairo_set_line_width(p->cr, 0.8);
            rgb(p->cr, C_GREY);
            cairo_move_to(p->cr, x + tw + 4, p->y + 10);
            cairo_line_to(p->cr, nx - 4, p->y + 10);
            cairo_stroke(p->cr);
            cairo_set_dash(p->cr, NULL, 0, 0);
            p->y += TOC_LINE;
        }
    }
}

static void body(pdf_t *p)
{
    size_t i, j;
    json_t *e, *c, *t;
    char buf[512];
    new_page(p);
    cover(p);
    toc(p);
    new_page(p);
    heading(p, "Programma van de dag", 1);
    json_array_foreach(json_object_get(p->doc, "programme"), i, e) {
        snprintf(buf, sizeof buf, "%s–%s", rm_str(e, "time"), rm_str(e, "end"));
        field(p, buf, rm_str(e, "title"));
    }
    json_array_foreach(json_object_get(p->doc, "challenges"), i, c) {
        new_page(p);
        snprintf(buf, sizeof buf, "Challenge %zu: %s", i + 1, rm_str(c, "title"));
        heading(p, buf, 1);
        para(p, rm_str(c, "question"), 11, 0, 1, 0, C_SKY);
        p->y += 6;
        para(p, rm_str(c, "problem"), 9, 0, 0, 0, C_TEXT);
        p->y += 6;
        json_array_foreach(json_object_get(p->doc, "teams"), j, t)
            if (strcmp(rm_str(t, "challenge"), rm_str(c, "id")) == 0 && took_part(t)) {
                snprintf(buf, sizeof buf, "• %s", rm_str(t, "name"));
                para(p, buf, 9.5, 1, 0, 8, C_BLUE);
            }
        /* Teams no one took part in: named once, here, instead of an empty page each. */
        int len = 0, idle = 0;
        buf[0] = '\0';
        json_array_foreach(json_object_get(p->doc, "teams"), j, t)
            if (strcmp(rm_str(t, "challenge"), rm_str(c, "id")) == 0 && !took_part(t) && len < (int)sizeof buf)
                len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s", idle++ ? ", " : "", rm_str(t, "name"));
        if (idle) {
            p->y += 4;
            para(p, idle == 1 ? "Aan dit team deed niemand mee:" : "Aan deze teams deed niemand mee:", 9, 0, 1, 0, C_GREY);
            para(p, buf, 9, 0, 0, 8, C_GREY);
        }
        json_array_foreach(json_object_get(p->doc, "teams"), j, t)
            if (strcmp(rm_str(t, "challenge"), rm_str(c, "id")) == 0 && took_part(t))
                team_section(p, t);
    }
    new_page(p);
    heading(p, "Jury en winnaars", 1);
    heading(p, "Criteria van de jury", 3);
    json_array_foreach(json_object_get(json_object_get(p->doc, "jury"), "criteria"), i, e)
        para(p, rm_str(e, "name"), 9.5, 0, 0, 8, C_TEXT);
    const json_t *res = json_object_get(json_object_get(p->doc, "jury"), "results");
    heading(p, "Winnaars", 3);
    if (!json_is_object(res))
        para(p, "De jury heeft (nog) geen winnaars bekendgemaakt in staatsprint.", 9, 0, 1, 0, C_GREY);
    const json_t *win = json_object_get(res, "winners");
    json_t *w;
    char num[48];
    int len = snprintf(buf, sizeof buf, "Winnaar van de dag: ");
    json_array_foreach(json_object_get(win, "overall"), i, w) {
        const json_t *tm = rm_team(p->doc, json_string_value(w));
        if (len < (int)sizeof buf)
            len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s", i ? " en " : "", tm ? rm_str(tm, "name") : "");
    }
    if (json_array_size(json_object_get(win, "overall")))
        para(p, buf, 14, 1, 0, 0, C_BLUE);
    else if (json_is_object(res))
        para(p, "Winnaar van de dag: geen winnaar", 14, 1, 0, 0, C_BLUE);
    json_array_foreach(json_object_get(win, "challenges"), i, e) {
        const char *title = rm_str(e, "challenge");
        json_array_foreach(json_object_get(p->doc, "challenges"), j, c)
            if (strcmp(rm_str(c, "id"), title) == 0)
                title = rm_str(c, "title");
        len = snprintf(buf, sizeof buf, "%s: ", title);
        json_array_foreach(json_object_get(e, "teams"), j, w) {
            const json_t *tm = rm_team(p->doc, json_string_value(w));
            if (len < (int)sizeof buf)
                len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s", j ? " en " : "", tm ? rm_str(tm, "name") : "");
        }
        if (json_array_size(json_object_get(e, "teams")) == 0 && len < (int)sizeof buf)
            snprintf(buf + len, sizeof buf - (size_t)len, "geen winnaar");
        para(p, buf, 10, 1, 0, 8, C_TEXT);
    }
    if (json_is_object(res)) {
        heading(p, "Ranglijst van de jury", 3);
        json_array_foreach(json_object_get(res, "teams"), i, e) {
            /* Only scored teams have a place; the others are named once below. */
            if (rm_int(e, "rank") <= 0 || rm_int(e, "jurors") <= 0)
                continue;
            char lab[64];
            snprintf(lab, sizeof lab, "%lld.", rm_int(e, "rank"));
            /* A Dutch decimal comma. */
            char mean[32];
            snprintf(mean, sizeof mean, "%.2f", json_number_value(json_object_get(e, "mean")));
            char *dot = strchr(mean, '.');
            if (dot)
                *dot = ',';
            snprintf(buf, sizeof buf, "%s – gemiddeld %s (%s)%s%s", rm_str(e, "name"), mean,
                     count_nl(num, sizeof num, rm_int(e, "jurors"), "jurylid", "juryleden"),
                     json_is_true(json_object_get(e, "tied")) ? " – gelijke stand" : "",
                     json_is_true(json_object_get(e, "disagree")) ? " – de jury was verdeeld" : "");
            field_w(p, lab, buf, 34);
        }
        /* Teams that took part but no juror scored: named, not ranked. */
        int n = 0;
        len = 0;
        buf[0] = '\0';
        json_array_foreach(json_object_get(res, "teams"), i, e) {
            const json_t *tm = rm_team(p->doc, rm_str(e, "team"));
            if ((rm_int(e, "rank") > 0 && rm_int(e, "jurors") > 0) || tm == NULL || !took_part(tm))
                continue;
            if (len < (int)sizeof buf)
                len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s", n++ ? ", " : "", rm_str(e, "name"));
        }
        if (n) {
            para(p, "Niet beoordeeld door de jury:", 9, 0, 1, 0, C_GREY);
            para(p, buf, 9, 0, 0, 8, C_GREY);
        }
    }
    heading(p, "Winnaars van de Idee Race", 3);
    json_array_foreach(json_object_get(p->doc, "rooms"), i, e) {
        len = snprintf(buf, sizeof buf, "%s: ", rm_str(e, "name"));
        json_array_foreach(json_object_get(e, "race_winners"), j, w) {
            const json_t *tm = rm_team(p->doc, json_string_value(w));
            if (len < (int)sizeof buf)
                len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s", j ? ", " : "",
                                tm ? rm_str(tm, "name") : json_string_value(w));
        }
        if (json_array_size(json_object_get(e, "race_winners")) == 0 && len < (int)sizeof buf)
            snprintf(buf + len, sizeof buf - (size_t)len, "geen winnaar");
        para(p, buf, 9.5, 0, 0, 8, C_TEXT);
    }
    cairo_show_page(p->cr);
}

static cairo_status_t discard(void *closure, const unsigned char *data, unsigned int length)
{
    (void)closure;
    (void)data;
    (void)length;
    return CAIRO_STATUS_SUCCESS;
}

typedef struct {
    unsigned char *data;
    size_t len, cap;
} membuf_t;

static cairo_status_t to_mem(void *closure, const unsigned char *data, unsigned int length)
{
    membuf_t *b = closure;
    xgrow((void **)&b->data, &b->cap, b->len + length + 1, 1);
    memcpy(b->data + b->len, data, length);
    b->len += length;
    return CAIRO_STATUS_SUCCESS;
}

int report_pdf_render(const json_t *doc, unsigned char **pdf, size_t *len)
{
    pdf_t p;
    size_t entries = 2 + json_array_size(json_object_get(doc, "challenges")) + json_array_size(json_object_get(doc, "teams"));
    size_t first = (size_t)((BOTTOM - TOP - 40) / TOC_LINE);
    int toc_pages = (int)((entries + first - 1) / first);
    toc_t *prev = NULL;
    size_t nprev = 0;
    membuf_t out = {0};
    *pdf = NULL;
    *len = 0;
    for (int pass = 1; pass <= 2; pass++) {
        memset(&p, 0, sizeof p);
        p.doc = doc;
        p.pass = pass;
        p.toc_pages = toc_pages ? toc_pages : 1;
        p.prev = prev;
        p.nprev = nprev;
        p.surf = cairo_pdf_surface_create_for_stream(pass == 1 ? discard : to_mem, pass == 1 ? NULL : &out,
                                                     PAGE_W, PAGE_H);
        if (pass == 2) {
            cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_TITLE, rm_str(json_object_get(doc, "sprint"), "title"));
            cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_CREATOR, "staatsprint");
        }
        p.cr = cairo_create(p.surf);
        body(&p);
        cairo_destroy(p.cr);
        cairo_surface_finish(p.surf);
        cairo_status_t st = cairo_surface_status(p.surf);
        cairo_surface_destroy(p.surf);
        if (pass == 1) {
            prev = p.toc;
            nprev = p.ntoc;
        } else {
            free(p.toc);
        }
        if (st != CAIRO_STATUS_SUCCESS) {
            fprintf(stderr, "staatsprint: het verslag kan niet worden gemaakt (cannot render the report): %s\n",
                    cairo_status_to_string(st));
            free(prev);
            free(out.data);
            return -1;
        }
    }
    free(prev);
    *pdf = out.data;
    *len = out.len;
    return 0;
}

int report_pdf_write(const json_t *doc, const char *path)
{
    unsigned char *pdf;
    size_t len;
    if (report_pdf_render(doc, &pdf, &len) != 0)
        return -1;
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(pdf, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    free(pdf);
    if (!ok) {
        fprintf(stderr, "staatsprint: kan %s niet schrijven (cannot write): %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}
