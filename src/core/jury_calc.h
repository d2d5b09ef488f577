/* jury_calc.h – the arithmetic of the jury: weighted means, per-juror normalisation,
 * disagreement, ranking with a published tie-break, winners per group.
 *
 * Pure functions on plain arrays (no core, no JSON), so every rule is unit-tested
 * on its own. The caller owns every array; jc_rank() fills an array it is given.
 *
 * Definitions (the same words appear in docs/protocol.md):
 *  - A juror's total for a team: sum(w_c * s_c) / sum(w_c) over the criteria that
 *    juror scored for the team (a criterion of weight 0 counts for nothing).
 *  - Mean: the mean of the totals of the jurors who scored the team and did not
 *    recuse themselves.
 *  - Normalised: each score s of juror j becomes z = (s - mean_j) / sd_j, where
 *    mean_j and sd_j (population) run over every score juror j gave (recused teams
 *    left out); sd_j = 0 makes every z of that juror 0. Then the same weighted
 *    total and mean as above. A strict juror and a lenient juror weigh alike.
 *  - Spread: the population standard deviation of the jurors' totals; the team is
 *    flagged `disagree` when at least two jurors scored it and spread > threshold.
 *  - Ranking: by mean (or normalised, when asked) high to low; teams equal on that
 *    key (within 1e-9) are ordered by the tie-break criteria in the published order
 *    (the mean score on each criterion, high to low); teams still equal share a rank
 *    and are flagged `tied`. Teams nobody scored come last, unranked (rank 0).
 */
#ifndef SP_JURY_CALC_H
#define SP_JURY_CALC_H

#include <stddef.h>

typedef struct {
    int juror;      /* 0 .. njurors-1 */
    int team;       /* 0 .. nteams-1 */
    int crit;       /* 0 .. ncrit-1 */
    double score;
} jc_score_t;

typedef struct {
    size_t njurors, nteams, ncrit;
    const double *weights;            /* ncrit, each >= 0 */
    const jc_score_t *scores;         /* one per (juror, team, crit); later duplicates win */
    size_t nscores;
    const unsigned char *recused;     /* njurors * nteams (juror-major), 1 = recused; may be NULL */
    const int *tiebreak;              /* criterion indices in order; may be NULL */
    size_t ntiebreak;
    int normalise;                    /* rank by the normalised mean */
    double disagree_threshold;        /* spread above this flags disagreement */
} jc_input_t;

#define JC_MAX_CRIT 16

typedef struct {
    int team;                 /* index */
    int jurors;               /* jurors counted */
    double mean;              /* weighted mean of the totals (0 when jurors == 0) */
    double normalised;        /* mean of the normalised totals */
    double spread;            /* standard deviation of the totals */
    int disagree;
    double crit_mean[JC_MAX_CRIT];   /* mean score per criterion (0 when nobody scored it) */
    int rank;                 /* 1 = best; equal ranks when tied; 0 = unscored */
    int tied;                 /* shares its rank after the tie-break */
    int broken;               /* was equal on the main key, the tie-break separated it */
} jc_team_t;

/* Computes every team and writes them to out (nteams entries) in ranking order.
 * Returns 0, or -1 when the input is inconsistent (an index out of range, more than
 * JC_MAX_CRIT criteria, all weights 0); out is then unspecified. */
int jc_rank(const jc_input_t *in, jc_team_t *out);

/* The winners of a group among ranked teams (out of jc_rank): the best-ranked teams
 * whose group_of[team] == group, all of them when several share that rank. Writes
 * their team indices to win (room for n) and returns how many (0 when no team of
 * the group was scored). */
size_t jc_winners(const jc_team_t *ranked, size_t n, const int *group_of, int group, int *win);

/* Organisation names match when equal after folding: ASCII letters to lower case,
 * spaces, tabs, dots, dashes and underscores left out. Empty names never match. */
int jc_org_match(const char *a, const char *b);

#endif
