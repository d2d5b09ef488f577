/* jury_calc.c – weighted means, normalisation, disagreement and ranking (see jury_calc.h). */
#include "core/jury_calc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9

static int input_ok(const jc_input_t *in)
{
    if (in->ncrit == 0 || in->ncrit > JC_MAX_CRIT || in->weights == NULL)
        return 0;
    double wsum = 0;
    for (size_t c = 0; c < in->ncrit; c++) {
        if (!(in->weights[c] >= 0))
            return 0;
        wsum += in->weights[c];
    }
    if (wsum <= 0)
        return 0;
    for (size_t i = 0; i < in->nscores; i++) {
        const jc_score_t *s = &in->scores[i];
        if (s->juror < 0 || (size_t)s->juror >= in->njurors || s->team < 0 ||
            (size_t)s->team >= in->nteams || s->crit < 0 || (size_t)s->crit >= in->ncrit)
            return 0;
    }
    for (size_t i = 0; i < in->ntiebreak; i++)
        if (in->tiebreak[i] < 0 || (size_t)in->tiebreak[i] >= in->ncrit)
            return 0;
    return 1;
}

static int recused(const jc_input_t *in, size_t j, size_t t)
{
    return in->recused != NULL && in->recused[j * in->nteams + t];
}

/* Compares on the main key only: < 0 when a ranks before b. */
static int cmp_main(const jc_input_t *in, const jc_team_t *a, const jc_team_t *b)
{
    if ((a->jurors == 0) != (b->jurors == 0))
        return a->jurors == 0 ? 1 : -1;
    double ka = in->normalise ? a->normalised : a->mean;
    double kb = in->normalise ? b->normalised : b->mean;
    if (fabs(ka - kb) > EPS)
        return ka > kb ? -1 : 1;
    return 0;
}

/* Compares on the main key, then the tie-break criteria. */
static int cmp_full(const jc_input_t *in, const jc_team_t *a, const jc_team_t *b)
{
    int r = cmp_main(in, a, b);
    if (r != 0 || a->jurors == 0)
        return r;
    for (size_t i = 0; i < in->ntiebreak; i++) {
        double ka = a->crit_mean[in->tiebreak[i]], kb = b->crit_mean[in->tiebreak[i]];
        if (fabs(ka - kb) > EPS)
            return ka > kb ? -1 : 1;
    }
    return 0;
}

int jc_rank(const jc_input_t *in, jc_team_t *out)
{
    if (!input_ok(in))
        return -1;
    size_t nj = in->njurors, nt = in->nteams, nc = in->ncrit;
    size_t cells = nj * nt * nc;
    double *sc = calloc(cells ? cells : 1, sizeof *sc);
    unsigned char *has = calloc(cells ? cells : 1, 1);
    double *jmean = calloc(nj ? nj : 1, sizeof *jmean), *jsd = calloc(nj ? nj : 1, sizeof *jsd);
    double *tot = calloc(nj ? nj : 1, sizeof *tot), *ztot = calloc(nj ? nj : 1, sizeof *ztot);
    if (!sc || !has || !jmean || !jsd || !tot || !ztot) {
        free(sc), free(has), free(jmean), free(jsd), free(tot), free(ztot);
        return -1;
    }
#define CELL(j, t, c) (((size_t)(j) * nt + (size_t)(t)) * nc + (size_t)(c))
    for (size_t i = 0; i < in->nscores; i++) {
        const jc_score_t *s = &in->scores[i];
        sc[CELL(s->juror, s->team, s->crit)] = s->score;
        has[CELL(s->juror, s->team, s->crit)] = 1;
    }
    /* Each juror's own scale: the mean and spread of everything they scored. */
    for (size_t j = 0; j < nj; j++) {
        double sum = 0, sq = 0;
        size_t n = 0;
        for (size_t t = 0; t < nt; t++)
            for (size_t c = 0; c < nc && !recused(in, j, t); c++)
                if (has[CELL(j, t, c)]) {
                    sum += sc[CELL(j, t, c)];
                    n++;
                }
        jmean[j] = n ? sum / (double)n : 0;
        for (size_t t = 0; t < nt; t++)
            for (size_t c = 0; c < nc && !recused(in, j, t); c++)
                if (has[CELL(j, t, c)]) {
                    double d = sc[CELL(j, t, c)] - jmean[j];
                    sq += d * d;
                }
        jsd[j] = n ? sqrt(sq / (double)n) : 0;
    }
    for (size_t t = 0; t < nt; t++) {
        jc_team_t *r = &out[t];
        memset(r, 0, sizeof *r);
        r->team = (int)t;
        size_t k = 0;
        for (size_t j = 0; j < nj; j++) {
            if (recused(in, j, t))
                continue;
            double w = 0, s = 0, z = 0;
            for (size_t c = 0; c < nc; c++) {
                if (!has[CELL(j, t, c)] || in->weights[c] <= 0)
                    continue;
                double v = sc[CELL(j, t, c)];
                w += in->weights[c];
                s += in->weights[c] * v;
                z += in->weights[c] * (jsd[j] > EPS ? (v - jmean[j]) / jsd[j] : 0);
            }
            if (w <= 0)
                continue;
            tot[k] = s / w;
            ztot[k] = z / w;
            k++;
        }
        r->jurors = (int)k;
        if (k > 0) {
            double m = 0, zm = 0, sq = 0;
            for (size_t i = 0; i < k; i++) {
                m += tot[i];
                zm += ztot[i];
            }
            m /= (double)k;
            zm /= (double)k;
            for (size_t i = 0; i < k; i++)
                sq += (tot[i] - m) * (tot[i] - m);
            r->mean = m;
            r->normalised = zm;
            r->spread = sqrt(sq / (double)k);
            r->disagree = k >= 2 && r->spread > in->disagree_threshold;
        }
        for (size_t c = 0; c < nc; c++) {
            double s = 0;
            size_t n = 0;
            for (size_t j = 0; j < nj; j++)
                if (!recused(in, j, t) && has[CELL(j, t, c)]) {
                    s += sc[CELL(j, t, c)];
                    n++;
                }
            r->crit_mean[c] = n ? s / (double)n : 0;
        }
    }
#undef CELL
    free(sc), free(has), free(jmean), free(jsd), free(tot), free(ztot);

    /* Insertion sort: stable (equal teams keep their index order) and n is small. */
    for (size_t i = 1; i < nt; i++) {
        jc_team_t v = out[i];
        size_t j = i;
        while (j > 0 && cmp_full(in, &v, &out[j - 1]) < 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = v;
    }
    for (size_t i = 0; i < nt; i++) {
        jc_team_t *r = &out[i];
        if (r->jurors == 0)
            continue;
        if (i > 0 && cmp_full(in, r, &out[i - 1]) == 0) {
            r->rank = out[i - 1].rank;
            r->tied = out[i - 1].tied = 1;
        } else {
            r->rank = (int)i + 1;
        }
        if ((i > 0 && cmp_main(in, r, &out[i - 1]) == 0 && cmp_full(in, r, &out[i - 1]) != 0) ||
            (i + 1 < nt && cmp_main(in, r, &out[i + 1]) == 0 && cmp_full(in, r, &out[i + 1]) != 0))
            r->broken = 1;
    }
    return 0;
}

size_t jc_winners(const jc_team_t *ranked, size_t n, const int *group_of, int group, int *win)
{
    size_t k = 0;
    int best = 0;
    for (size_t i = 0; i < n; i++) {
        const jc_team_t *r = &ranked[i];
        if (r->rank == 0 || group_of[r->team] != group)
            continue;
        if (best == 0)
            best = r->rank;
        if (r->rank == best)
            win[k++] = r->team;
    }
    return k;
}

static void org_fold(const char *s, char *out, size_t len)
{
    size_t n = 0;
    for (; s && *s && n + 1 < len; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == ' ' || ch == '\t' || ch == '.' || ch == '-' || ch == '_')
            continue;
        out[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    out[n] = '\0';
}

int jc_org_match(const char *a, const char *b)
{
    char fa[256], fb[256];
    org_fold(a, fa, sizeof fa);
    org_fold(b, fb, sizeof fb);
    return fa[0] != '\0' && strcmp(fa, fb) == 0;
}
