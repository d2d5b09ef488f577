/* phrases.h – Dutch texts for the simulated day: what bots write on notes and canvases.
 *
 * One bank per challenge of the default day (c1 gemeentelijke IT, c2 markt en overheid,
 * c3 IT-personeel). Every text is written for staatsprint; the simulator combines them
 * with a seeded random generator, so teams of one challenge write different days.
 */
#ifndef SP_SIM_PHRASES_H
#define SP_SIM_PHRASES_H

#include <stddef.h>

#define PH_THEMES 4
#define PH_NOTES 6
#define PH_HKW_THEMES 3
#define PH_HKW 4
#define PH_VAR 3

typedef struct {
    const char *name;                 /* cluster name */
    const char *notes[PH_NOTES];      /* sticky notes of the brain dump */
    const char *knelpunt;             /* the bottleneck the cluster points to */
} ph_theme_t;

typedef struct {
    const char *name;                 /* HKW theme */
    const char *questions[PH_HKW];    /* "Hoe kunnen we …?" */
} ph_hkw_t;

typedef struct {
    const char *challenge;            /* "c1" */
    ph_theme_t themes[PH_THEMES];
    ph_hkw_t hkw[PH_HKW_THEMES];
    const char *vehicle[6][PH_VAR];   /* driver, passengers, chassis, engine, fuel, road */
    const char *problem[4][PH_VAR];   /* issue, owner, activity, result */
    const char *ideas[30];
    const char *organisations[8];
    const char *pitch_for_whom[PH_VAR];
    const char *pitch_whom[PH_VAR];
    const char *plan_responsible[PH_VAR];
    const char *plan_executor[PH_VAR];
    const char *team_names[PH_VAR];
} ph_bank_t;

extern const ph_bank_t ph_banks[3];
extern const char *const ph_first[24], *const ph_last[24], *const ph_jobs[16],
    *const ph_motivations[8];
/* Crystal Ball milestones per kind (goal, role, dropped, added); each text fits any
 * idea of any challenge. */
extern const char *const ph_milestones[4][6];
extern const char *const ph_risks[PH_VAR], *const ph_path[PH_VAR], *const ph_cost[PH_VAR],
    *const ph_yell[PH_VAR], *const ph_impact[PH_VAR], *const ph_how[PH_VAR],
    *const ph_duration[PH_VAR], *const ph_plan_cost[PH_VAR], *const ph_yield[PH_VAR],
    *const ph_unique[PH_VAR];

/* The bank of a challenge id, the first one when unknown. */
const ph_bank_t *ph_bank(const char *challenge);

#endif
