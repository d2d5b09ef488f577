/* test_assign.c – group assignment optimality (against brute force), team rules, pins, seeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "org/assign.h"

#define MAX_ORGS 80
static char org_names[MAX_ORGS][48];
static const char *const roles[] = {"Beleidsmedewerker", "Developer", "Architect", "Student",
                                    "Projectleider", "Onderzoeker", "Adviseur", "Manager"};

/* 300 people over many organisations with skewed sizes (a few big ministries, a long
 * tail of small bodies), skewed preferences (challenge 1 is popular), some with no
 * choice and some with only a first choice. Same seed, same people. */
static void init_names(void)
{
    for (int o = 0; o < MAX_ORGS; o++)
        snprintf(org_names[o], sizeof org_names[o], o % 3 ? "Organisatie %d" : "organisatie  %d", o);
}

static assign_person_t *generate_skew(size_t n, int n_orgs, uint64_t seed, double skew)
{
    uint64_t st = seed;
    assign_person_t *p = calloc(n, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        /* Zipf-like: organisation o with weight 1/(o+1)^skew. */
        double total = 0, w[MAX_ORGS];
        for (int o = 0; o < n_orgs; o++)
            total += (w[o] = pow(o + 1, -skew));
        double x = (double)(assign_rand(&st) % 1000000) / 1e6 * total;
        int o = 0;
        while (o < n_orgs - 1 && x > w[o]) {
            x -= w[o];
            o++;
        }
        p[i].organisation = org_names[o];
        p[i].role = roles[assign_rand(&st) % 8];
        int r = (int)(assign_rand(&st) % 100);
        if (r < 10) {
            p[i].choice1 = p[i].choice2 = -1;
        } else {
            int c = (int)(assign_rand(&st) % 100);
            p[i].choice1 = c < 55 ? 0 : c < 85 ? 1 : 2;
            p[i].choice2 = r < 20 ? -1 : (p[i].choice1 + 1 + (int)(assign_rand(&st) % 2)) % 3;
        }
        p[i].willing_captain = assign_rand(&st) % 4 == 0;
        p[i].willing_timekeeper = assign_rand(&st) % 3 == 0;
        p[i].pin_group = p[i].pin_team = -1;
    }
    return p;
}

static assign_person_t *generate(size_t n, int n_orgs, uint64_t seed)
{
    return generate_skew(n, n_orgs, seed, 1.0);
}

/* Independent checks of every team rule and figure; returns nothing, asserts. */
static void check_result(const assign_person_t *p, size_t n, const assign_options_t *opt, const assign_result_t *r)
{
    int lo = opt->team_min ? opt->team_min : 6, hi = opt->team_max ? opt->team_max : 8;
    size_t first = 0, second = 0, neither = 0, with = 0, unplaced = 0, pairs_total = 0;
    for (size_t i = 0; i < n; i++) {
        int g = r->group[i];
        if (g < 0)
            unplaced++;
        if (p[i].pin_group >= 0)
            assert_int_equal(g, p[i].pin_group);
        if (g >= 0) {
            assert_true(r->team[i] >= 0 && (size_t)r->team[i] < r->n_teams);
            assert_int_equal(r->teams[r->team[i]].group, g);
            if (p[i].pin_team >= 0)
                assert_int_equal(r->teams[r->team[i]].number, p[i].pin_team);
        }
        if (p[i].choice1 < 0 && p[i].choice2 < 0)
            continue;
        with++;
        if (g >= 0 && g == p[i].choice1)
            first++;
        else if (g >= 0 && g == p[i].choice2)
            second++;
        else
            neither++;
    }
    assert_int_equal(r->n_first, first);
    assert_int_equal(r->n_second, second);
    assert_int_equal(r->n_neither, neither);
    assert_int_equal(r->n_with_choice, with);
    assert_int_equal(r->n_unplaced, unplaced);
    for (size_t g = 0; g < opt->n_groups; g++) {
        size_t m = 0, k = 0, smin = (size_t)-1, smax = 0;
        if (opt->capacity && opt->capacity[g] >= 0) {
            size_t pinned = 0;
            for (size_t i = 0; i < n; i++)
                pinned += p[i].pin_group == (int)g;
            for (size_t i = 0; i < n; i++)
                m += r->group[i] == (int)g;
            assert_true(m <= (size_t)opt->capacity[g] || m == pinned);
        }
        m = 0;
        for (size_t t = 0; t < r->n_teams; t++) {
            const assign_team_t *T = &r->teams[t];
            if (T->group != (int)g)
                continue;
            k++;
            m += T->n_members;
            if (T->n_members < smin)
                smin = T->n_members;
            if (T->n_members > smax)
                smax = T->n_members;
            /* Colleague pairs counted here, independently. */
            size_t pc = 0;
            for (size_t a = 0; a < T->n_members; a++)
                for (size_t b = a + 1; b < T->n_members; b++) {
                    const char *x = p[T->members[a]].organisation, *y = p[T->members[b]].organisation;
                    char nx[64], ny[64];
                    size_t w = 0;
                    for (const char *q = x; *q && w < 63; q++)
                        if (*q != ' ')
                            nx[w++] = (char)(*q | 0x20);
                    nx[w] = 0;
                    w = 0;
                    for (const char *q = y; *q && w < 63; q++)
                        if (*q != ' ')
                            ny[w++] = (char)(*q | 0x20);
                    ny[w] = 0;
                    pc += *x && strcmp(nx, ny) == 0;
                }
            assert_int_equal(T->colleague_pairs, pc);
            pairs_total += pc;
            if (T->captain >= 0)
                assert_true(p[T->captain].willing_captain);
            if (T->timekeeper >= 0)
                assert_true(p[T->timekeeper].willing_timekeeper);
            bool any_cap = false;
            for (size_t a = 0; a < T->n_members; a++)
                any_cap |= p[T->members[a]].willing_captain;
            assert_int_equal(any_cap, T->captain >= 0);
        }
        assert_int_equal(m, r->group_size[g]);
        if (k == 0)
            continue;
        assert_true(smax - smin <= 1);
        /* Within the range whenever some team count allows it. */
        bool fits = false;
        for (size_t kk = 1; kk <= m; kk++)
            if ((m + kk - 1) / kk <= (size_t)hi && m / kk >= (size_t)lo)
                fits = true;
        if (fits) {
            assert_true(smin >= (size_t)lo);
            assert_true(smax <= (size_t)hi);
        }
    }
    assert_int_equal(r->colleague_pairs, pairs_total);
    /* Without pins, every organisation is spread as evenly as the team counts allow. */
    bool pins = false;
    for (size_t i = 0; i < n; i++)
        pins |= p[i].pin_group >= 0;
    if (!pins)
        assert_int_equal(r->colleague_pairs, r->colleague_pairs_min);
}

/* Largest head count of one organisation in group g (same normalisation as the module's
 * for the generated names: case and spaces). */
static size_t max_org_in_group(const assign_person_t *p, size_t n, const assign_result_t *r, int g, size_t *pairs_min,
                               size_t k)
{
    size_t best = 0;
    *pairs_min = 0;
    for (int o = 0; o < MAX_ORGS; o++) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            if (r->group[i] == g && p[i].organisation == org_names[o])
                c++;
        if (c > best)
            best = c;
        size_t q = c / k, rem = c % k;
        *pairs_min += rem * (q + 1) * q / 2 + (k - rem) * q * (q ? q - 1 : 0) / 2;
    }
    return best;
}

static void run_300_enough(double skew)
{
    size_t n = 300;
    assign_person_t *p = generate_skew(n, 80, 42, skew);
    assign_options_t opt = {3, NULL, 0, 0, 7};
    assign_result_t r;
    assert_int_equal(assign_run(p, n, &opt, &r), 0);
    check_result(p, n, &opt, &r);
    assert_int_equal(r.n_first, r.n_with_choice);
    assert_int_equal(r.n_neither, 0);
    assert_int_equal(r.n_unplaced, 0);
    assert_true(r.n_no_choice > 0);
    /* Colleagues: none in a group whose organisations fit the team count, else the minimum. */
    size_t all_min = 0;
    for (int g = 0; g < 3; g++) {
        size_t k = 0, pm, pairs = 0;
        for (size_t t = 0; t < r.n_teams; t++)
            if (r.teams[t].group == g) {
                k++;
                pairs += r.teams[t].colleague_pairs;
            }
        size_t mo = max_org_in_group(p, n, &r, g, &pm, k);
        if (mo <= k)
            assert_int_equal(pairs, 0);
        assert_int_equal(pairs, pm);
        all_min += pm;
    }
    assert_int_equal(r.colleague_pairs_min, all_min);
    /* Roles mixed: clearly fewer same-role pairs than a random split would give. */
    double expect = 0;
    for (size_t t = 0; t < r.n_teams; t++) {
        size_t m = r.group_size[r.teams[t].group], s = r.teams[t].n_members;
        double same = 0;
        for (int k = 0; k < 8; k++) {
            double c = 0;
            for (size_t i = 0; i < n; i++)
                c += r.group[i] == r.teams[t].group && p[i].role == roles[k];
            same += c * (c - 1) / ((double)m * (double)(m - 1));
        }
        expect += (double)s * (double)(s - 1) / 2 * same;
    }
    assert_true((double)r.role_pairs < 0.6 * expect);
    printf("# 300 people, 80 organisations (skew %.1f), unlimited capacity: first choice %zu/%zu (%.1f%%), neither %zu, no choice %zu,"
           " groups %zu/%zu/%zu, teams %zu, sizes %zu-%zu, colleague pairs %zu (min %zu), role pairs %zu"
           " (random ~%.1f)\n",
           skew, r.n_first, r.n_with_choice, 100 * r.share_first, r.n_neither, r.n_no_choice, r.group_size[0],
           r.group_size[1], r.group_size[2], r.n_teams, r.team_size_min, r.team_size_max, r.colleague_pairs,
           r.colleague_pairs_min, r.role_pairs, expect);
    assign_result_free(&r);
    free(p);
}

static void test_300_enough_capacity(void **state)
{
    run_300_enough(1.0);   /* a few big ministries: some colleagues must share a team */
    run_300_enough(0.5);   /* flatter: nobody needs to */
}

/* The least number with neither choice, by König's theorem for 3 groups: the most
 * choosers that fit in their chosen groups is the smallest vertex cover, min over group
 * sets T of cap(T) + #choosers with a choice outside T. Independent of the module's flow. */
static size_t hall_min_neither(const assign_person_t *p, size_t n, const int *cap)
{
    size_t with = 0, best = (size_t)-1;
    for (size_t i = 0; i < n; i++)
        with += p[i].choice1 >= 0 || p[i].choice2 >= 0;
    for (int T = 0; T < 8; T++) {
        size_t v = 0;
        for (int g = 0; g < 3; g++)
            if (T & (1 << g))
                v += (size_t)cap[g];
        for (size_t i = 0; i < n; i++) {
            bool any = p[i].choice1 >= 0 || p[i].choice2 >= 0;
            bool out = (p[i].choice1 >= 0 && !(T & (1 << p[i].choice1))) ||
                       (p[i].choice2 >= 0 && !(T & (1 << p[i].choice2)));
            v += any && out;
        }
        if (v < best)
            best = v;
    }
    return with - (best < with ? best : with);
}

static void test_300_tight_capacity(void **state)
{
    size_t n = 300;
    assign_person_t *p = generate(n, 70, 43);
    int cap[3] = {105, 105, 95};
    assign_options_t opt = {3, cap, 6, 8, 11};
    assign_result_t r;
    assert_int_equal(assign_run(p, n, &opt, &r), 0);
    check_result(p, n, &opt, &r);
    assert_int_equal(r.n_unplaced, 0);
    assert_true(r.n_first < r.n_with_choice);   /* the popular challenge overflows */
    assert_int_equal(r.n_neither, hall_min_neither(p, n, cap));
    printf("# 300 people, capacities 105/105/95: first choice %zu/%zu (%.1f%%), second %zu, neither %zu"
           " (%.1f%%, König minimum %zu), teams %zu, sizes %zu-%zu, colleague pairs %zu (min %zu)\n",
           r.n_first, r.n_with_choice, 100 * r.share_first, r.n_second, r.n_neither, 100 * r.share_neither,
           hall_min_neither(p, n, cap), r.n_teams, r.team_size_min, r.team_size_max, r.colleague_pairs,
           r.colleague_pairs_min);
    /* Very tight: more people with choices than seats in their chosen groups. */
    int cap2[3] = {40, 40, 230};
    opt.capacity = cap2;
    assign_result_t r2;
    assert_int_equal(assign_run(p, n, &opt, &r2), 0);
    check_result(p, n, &opt, &r2);
    assert_int_equal(r2.n_neither, hall_min_neither(p, n, cap2));
    assert_true(r2.n_neither > 0);
    printf("# 300 people, capacities 40/40/230: first choice %zu/%zu (%.1f%%), second %zu, neither %zu"
           " (%.1f%%, König minimum %zu), teams %zu, sizes %zu-%zu, colleague pairs %zu (min %zu)\n",
           r2.n_first, r2.n_with_choice, 100 * r2.share_first, r2.n_second, r2.n_neither, 100 * r2.share_neither,
           hall_min_neither(p, n, cap2), r2.n_teams, r2.team_size_min, r2.team_size_max, r2.colleague_pairs,
           r2.colleague_pairs_min);
    assign_result_free(&r2);
    assign_result_free(&r);
    free(p);
}

/* Brute force over every placement (a group or none) of 8 people: the most placed,
 * then the fewest with neither choice, then the fewest with their second choice. */
static void brute(const assign_person_t *p, int n, const int *cap, size_t *placed, size_t *neither, size_t *second)
{
    int combos = 1;
    for (int i = 0; i < n; i++)
        combos *= 4;
    int64_t best = INT64_MIN;
    for (int x = 0; x < combos; x++) {
        int load[3] = {0}, y = x, pl = 0, ne = 0, se = 0;
        bool ok = true;
        for (int i = 0; i < n; i++, y /= 4) {
            int g = y % 4 - 1;
            bool any = p[i].choice1 >= 0 || p[i].choice2 >= 0;
            if (g >= 0 && ++load[g] > cap[g])
                ok = false;
            pl += g >= 0;
            if (any && (g < 0 || (g != p[i].choice1 && g != p[i].choice2)))
                ne++;
            se += g >= 0 && g != p[i].choice1 && g == p[i].choice2;
        }
        if (!ok)
            continue;
        int64_t score = (int64_t)pl * 10000 - ne * 100 - se;
        if (score > best) {
            best = score;
            *placed = (size_t)pl;
            *neither = (size_t)ne;
            *second = (size_t)se;
        }
    }
}

static void test_brute_force_small(void **state)
{
    uint64_t st = 2024;
    int differs_from_greedy = 0;
    for (int round = 0; round < 150; round++) {
        assign_person_t p[8];
        int cap[3];
        for (int g = 0; g < 3; g++)
            cap[g] = (int)(assign_rand(&st) % 5);
        for (int i = 0; i < 8; i++) {
            memset(&p[i], 0, sizeof p[i]);
            p[i].organisation = org_names[assign_rand(&st) % 4];
            p[i].role = roles[assign_rand(&st) % 3];
            int r = (int)(assign_rand(&st) % 10);
            p[i].choice1 = r < 2 ? -1 : (int)(assign_rand(&st) % 10 < 6 ? 0 : assign_rand(&st) % 3);
            p[i].choice2 = p[i].choice1 < 0 || r < 4 ? -1 : (p[i].choice1 + 1 + (int)(assign_rand(&st) % 2)) % 3;
            p[i].pin_group = p[i].pin_team = -1;
        }
        /* Teams of 1–3: every group size fits, so this checks the flow's optimality alone
         * (test_bounds_uneven covers sizes that do not fit). */
        assign_options_t opt = {3, cap, 1, 3, (uint64_t)round};
        assign_result_t r;
        assert_int_equal(assign_run(p, 8, &opt, &r), 0);
        check_result(p, 8, &opt, &r);
        size_t placed = 0, neither = 0, second = 0;
        brute(p, 8, cap, &placed, &neither, &second);
        assert_int_equal(8 - r.n_unplaced, placed);
        assert_int_equal(r.n_neither, neither);
        assert_int_equal(r.n_second, second);
        /* A first-come greedy would not be optimal here; count how often that mattered. */
        int load[3] = {0};
        size_t gn = 0;
        for (int i = 0; i < 8; i++) {
            int c1 = p[i].choice1, c2 = p[i].choice2;
            if (c1 >= 0 && load[c1] < cap[c1])
                load[c1]++;
            else if (c2 >= 0 && load[c2] < cap[c2])
                load[c2]++;
            else if (c1 >= 0)
                gn++;
        }
        differs_from_greedy += gn > neither;
        assign_result_free(&r);
    }
    assert_true(differs_from_greedy > 0);   /* the cases were hard enough to matter */
}

static void test_no_choice_never_takes_a_seat(void **state)
{
    /* One seat in group 0; someone who wants it and someone without a choice, who
     * comes first in the list. The chooser gets the seat. */
    assign_person_t p[3] = {
        {NULL, NULL, -1, -1, false, false, -1, -1},
        {NULL, NULL, 0, -1, false, false, -1, -1},
        {NULL, NULL, 1, -1, false, false, -1, -1},
    };
    int cap[3] = {1, 1, 1};
    assign_options_t opt = {3, cap, 1, 3, 5};
    assign_result_t r;
    assert_int_equal(assign_run(p, 3, &opt, &r), 0);
    assert_int_equal(r.group[1], 0);
    assert_int_equal(r.group[2], 1);
    assert_int_equal(r.group[0], 2);
    assert_int_equal(r.n_first, 2);
    assign_result_free(&r);
    /* Fewer seats than people: the chooser is placed, the other is left out. */
    int cap2[3] = {1, 0, 0};
    opt.capacity = cap2;
    assign_person_t q[2] = {p[0], p[1]};
    assert_int_equal(assign_run(q, 2, &opt, &r), 0);
    assert_int_equal(r.group[1], 0);
    assert_int_equal(r.group[0], -1);
    assert_int_equal(r.n_unplaced, 1);
    assign_result_free(&r);
}

static void test_colleagues_and_team_count(void **state)
{
    /* 50 people in one group, one organisation of 8: 7 or 8 teams fit 6–8; only 8 keeps
     * the colleagues apart, so 8 it must be. */
    assign_person_t p[50];
    for (int i = 0; i < 50; i++) {
        p[i] = (assign_person_t){i < 8 ? "Belastingdienst" : org_names[8 + i % 30], roles[i % 5], 0, -1,
                                 i % 7 == 0, i % 5 == 0, -1, -1};
    }
    assign_options_t opt = {1, NULL, 6, 8, 3};
    assign_result_t r;
    assert_int_equal(assign_run(p, 50, &opt, &r), 0);
    check_result(p, 50, &opt, &r);
    assert_int_equal(r.n_teams, 8);
    assert_int_equal(r.colleague_pairs, 0);
    assign_result_free(&r);
    /* 14 people, 7 from one body (spelled differently): 2 teams of 7; the 7 colleagues
     * must split 4 + 3, the least possible: 6 + 3 = 9 pairs. */
    const char *spell[] = {"Gemeente Utrecht", "gemeente utrecht", "GEMEENTE  UTRECHT", "Gemeente Utrecht"};
    assign_person_t q[14];
    for (int i = 0; i < 14; i++)
        q[i] = (assign_person_t){i < 7 ? spell[i % 4] : org_names[40 + i], roles[i % 3], 0, -1, false, false, -1, -1};
    opt.team_min = 6;
    opt.team_max = 8;
    assert_int_equal(assign_run(q, 14, &opt, &r), 0);
    assert_int_equal(r.n_teams, 2);
    assert_int_equal(r.colleague_pairs, 9);
    assert_int_equal(r.colleague_pairs_min, 9);
    assign_result_free(&r);
    assert_int_equal(assign_team_count(50, 6, 8, 8), 8);
    assert_int_equal(assign_team_count(50, 6, 8, 1), 7);
    assert_int_equal(assign_team_count(5, 6, 8, 1), 1);
    assert_int_equal(assign_team_count(0, 6, 8, 0), 0);
    assert_int_equal(assign_team_count(100, 6, 8, 20), 16);   /* unavoidable: the most teams */
}

static void test_pins_and_rerun(void **state)
{
    size_t n = 300;
    assign_person_t *p = generate(n, 70, 99);
    assign_options_t opt = {3, NULL, 0, 0, 1};
    assign_result_t r1;
    assert_int_equal(assign_run(p, n, &opt, &r1), 0);
    /* Someone whose first choice is 0 pinned to group 2; two colleagues pinned together. */
    size_t a = 30;
    while (p[a].choice1 != 0)
        a++;
    p[a].pin_group = 2;
    p[1].pin_group = 1;
    p[1].pin_team = 0;
    p[2].pin_group = 1;
    p[2].pin_team = 0;
    p[2].organisation = p[1].organisation;
    /* The organiser keeps ten people where the first run put them. */
    for (size_t i = 10; i < 20; i++) {
        p[i].pin_group = r1.group[i];
        p[i].pin_team = r1.teams[r1.team[i]].number;
    }
    opt.seed = 2;
    assign_result_t r2;
    assert_int_equal(assign_run(p, n, &opt, &r2), 0);
    check_result(p, n, &opt, &r2);   /* asserts every pin */
    assert_int_equal(r2.group[a], 2);
    assert_int_equal(r2.team[1], r2.team[2]);
    for (size_t i = 10; i < 20; i++)
        assert_int_equal(r2.teams[r2.team[i]].number, r1.teams[r1.team[i]].number);
    assign_result_free(&r1);
    assign_result_free(&r2);
    /* A pin to a group that does not exist, or to a team without a group, is refused. */
    p[3].pin_group = 3;
    assert_int_equal(assign_run(p, n, &opt, &r1), ASSIGN_E_PIN);
    p[3].pin_group = -1;
    p[3].pin_team = 1;
    assert_int_equal(assign_run(p, n, &opt, &r1), ASSIGN_E_PIN);
    p[3].pin_team = -1;
    p[4].choice1 = 7;
    assert_int_equal(assign_run(p, n, &opt, &r1), ASSIGN_E_CHOICE);
    p[4].choice1 = 0;
    opt.team_min = 9;
    opt.team_max = 4;
    assert_int_equal(assign_run(p, n, &opt, &r1), ASSIGN_E_OPTIONS);
    assert_string_equal(assign_err_code(ASSIGN_E_OPTIONS), "assign_bad_options");
    free(p);
}

static void test_deterministic_seed(void **state)
{
    size_t n = 300;
    assign_person_t *p = generate(n, 70, 5);
    int cap[3] = {120, 100, 100};
    assign_options_t opt = {3, cap, 0, 0, 77};
    assign_result_t a, b, c;
    assert_int_equal(assign_run(p, n, &opt, &a), 0);
    assert_int_equal(assign_run(p, n, &opt, &b), 0);
    opt.seed = 78;
    assert_int_equal(assign_run(p, n, &opt, &c), 0);
    assert_memory_equal(a.group, b.group, n * sizeof(int));
    assert_memory_equal(a.team, b.team, n * sizeof(int));
    for (size_t t = 0; t < a.n_teams; t++) {
        assert_int_equal(a.teams[t].captain, b.teams[t].captain);
        assert_int_equal(a.teams[t].timekeeper, b.teams[t].timekeeper);
    }
    assert_true(memcmp(a.team, c.team, n * sizeof(int)) != 0);
    /* Another seed changes who sits where, not how good the result is. */
    assert_int_equal(a.n_neither, c.n_neither);
    assert_int_equal(a.n_first, c.n_first);
    assert_int_equal(a.n_second, c.n_second);
    assert_int_equal(a.colleague_pairs, a.colleague_pairs_min);
    assert_int_equal(c.colleague_pairs, c.colleague_pairs_min);
    assign_result_free(&a);
    assign_result_free(&b);
    assign_result_free(&c);
    free(p);
}

/* Uneven preferences at the size of the day: 300 people, 40 teams of 6–8 over 5
 * challenges, one challenge wanted first by 3 people and second by 2, another by
 * nobody; every team must be within the bounds. */
static void test_bounds_uneven(void **state)
{
    (void)state;
    int refits = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        size_t n = 300;
        assign_person_t *p = calloc(n, sizeof *p);
        uint64_t st = seed * 7919;
        for (size_t i = 0; i < n; i++) {
            unsigned r = (unsigned)(assign_rand(&st) % 100);
            /* 0: 55%, 1: 25%, 2: 19%, 3: 1% (three people), 4: nobody */
            int c1 = r < 55 ? 0 : r < 80 ? 1 : r < 99 ? 2 : 3;
            if (i < 3)
                c1 = 3;
            else if (c1 == 3)
                c1 = 2;
            int c2 = (int)(assign_rand(&st) % 4);
            if (c2 == c1)
                c2 = -1;
            if (i % 37 == 0 && i >= 3)
                c1 = c2 = -1;   /* some chose nothing */
            p[i] = (assign_person_t){org_names[i % 30], roles[i % 8], c1, c2, i % 9 == 0, i % 11 == 0, -1, -1};
        }
        assign_options_t opt = {5, NULL, 6, 8, seed};
        assign_result_t r;
        assert_int_equal(assign_run(p, n, &opt, &r), 0);
        assert_true(r.bounds_met);
        size_t placed = 0;
        for (size_t t = 0; t < r.n_teams; t++) {
            assert_true(r.teams[t].n_members >= 6 && r.teams[t].n_members <= 8);
            placed += r.teams[t].n_members;
        }
        assert_int_equal(placed, n);
        assert_true(r.n_teams >= 38 && r.n_teams <= 50);
        assert_int_equal(r.group_first[3], 3);
        /* The three who want challenge 4 cannot make a team of 6 with only two second
         * choices there: they go to their second choice (or anywhere, without one). */
        assert_true(r.group_size[3] == 0 || r.group_size[3] >= 6);
        for (int g = 0; g < 5; g++)
            assert_true(assign_size_fits((int)r.group_size[g], 6, 8));
        refits += r.sizes_refit;
        /* Moving people is a last resort: most still get their first choice. */
        assert_true(r.n_first * 10 >= r.n_with_choice * 8);
        assign_result_free(&r);
        free(p);
    }
    assert_true(refits > 0);   /* the flow alone would have broken the bounds */
    /* Without any fitting sizes (9 people, 6–8) the result says so. */
    assign_person_t nine[9];
    for (int i = 0; i < 9; i++)
        nine[i] = (assign_person_t){NULL, NULL, 0, -1, false, false, -1, -1};
    assign_options_t opt = {2, NULL, 6, 8, 1};
    assign_result_t r;
    assert_int_equal(assign_run(nine, 9, &opt, &r), 0);
    assert_false(r.bounds_met);
    assign_result_free(&r);
    assert_true(assign_size_fits(0, 6, 8) && assign_size_fits(6, 6, 8) && assign_size_fits(12, 6, 8) &&
                assign_size_fits(18, 6, 8) && assign_size_fits(300, 6, 8));
    assert_false(assign_size_fits(5, 6, 8) || assign_size_fits(9, 6, 8) || assign_size_fits(11, 6, 8) ||
                 assign_size_fits(17, 6, 8));
}

static void test_roles_suggested(void **state)
{
    /* Six people, one team; only person 4 wants to captain, 4 and 5 to keep time: the
     * captain is 4 and the timekeeper the other volunteer, 5. */
    assign_person_t p[6];
    for (int i = 0; i < 6; i++)
        p[i] = (assign_person_t){org_names[i], roles[i], 0, -1, i == 4, i >= 4, -1, -1};
    assign_options_t opt = {1, NULL, 6, 8, 9};
    assign_result_t r;
    assert_int_equal(assign_run(p, 6, &opt, &r), 0);
    assert_int_equal(r.n_teams, 1);
    assert_int_equal(r.teams[0].captain, 4);
    assert_int_equal(r.teams[0].timekeeper, 5);
    assign_result_free(&r);
    /* Nobody volunteers: no suggestion rather than a made-up one. */
    for (int i = 0; i < 6; i++)
        p[i].willing_captain = p[i].willing_timekeeper = false;
    assert_int_equal(assign_run(p, 6, &opt, &r), 0);
    assert_int_equal(r.teams[0].captain, -1);
    assert_int_equal(r.teams[0].timekeeper, -1);
    assign_result_free(&r);
}

int main(void)
{
    init_names();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_300_enough_capacity),
        cmocka_unit_test(test_300_tight_capacity),
        cmocka_unit_test(test_brute_force_small),
        cmocka_unit_test(test_no_choice_never_takes_a_seat),
        cmocka_unit_test(test_colleagues_and_team_count),
        cmocka_unit_test(test_pins_and_rerun),
        cmocka_unit_test(test_deterministic_seed),
        cmocka_unit_test(test_roles_suggested),
        cmocka_unit_test(test_bounds_uneven),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
