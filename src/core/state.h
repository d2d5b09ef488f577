/* state.h – the core's state, shared by the modules of src/core (not public). */
#ifndef SP_CORE_STATE_H
#define SP_CORE_STATE_H

#include "core/core.h"
#include "util/strmap.h"

typedef struct {
    char id[16];
    json_t *name;       /* {"nl","en"}, owned */
    char challenge[16];
} room_t;

typedef struct {
    char id[16];
    char *name;
    int room;           /* index */
    char code[24];      /* as shown: "K7QM-X2PA"; "" until team.code */
} team_t;

typedef struct {
    char id[16];
    char *name;
    int team;
} member_t;

typedef struct {
    char id[16];
    int team;
    int author;         /* member index */
    char *text;
    int deleted;
    int64_t created, updated;
} note_t;

struct core {
    int64_t head;
    char sprint_id[64];
    char *title_nl;

    room_t *rooms;
    size_t nrooms, caprooms;
    team_t *teams;
    size_t nteams, capteams;
    member_t *members;
    size_t nmembers, capmembers;
    note_t *notes;
    size_t nnotes, capnotes;

    strmap_t room_ids, team_ids, member_ids, note_ids;
    strmap_t codes;      /* normalised join code → team index */
    strmap_t tokens;     /* token hash → identity (see ident_pack) */
    strmap_t cmds;       /* actor \x1f cmd id → seq */
    strmap_t joins;      /* join id → member index */
    json_t *links;       /* links.set data: [{role, room, token}], owned */
};

/* Identities in the token map: role in the high bits, index (member or room) low. */
static inline int64_t ident_pack(role_t r, int idx) { return ((int64_t)r << 32) | (uint32_t)(idx + 1); }
static inline role_t ident_role(int64_t v) { return (role_t)(v >> 32); }
static inline int ident_index(int64_t v) { return (int)(uint32_t)v - 1; }

/* The context of one command: events go through cmd_emit, which applies them. */
typedef struct {
    core_t *core;
    const who_t *who;
    const char *cmd_id;
    int64_t now;
    evlist_t *out;
} cmdctx_t;

/* Emits an event of the command: takes ownership of data, assigns the next seq,
 * applies it and appends it to the output. Handlers validate everything before the
 * first emit, so a command never half-happens. */
void cmd_emit(cmdctx_t *x, const char *type, int aud_kind, const char *aud_id, json_t *data);

typedef struct {
    const char *name;
    unsigned roles;      /* bit (1 << role) for each role allowed */
    int (*fn)(cmdctx_t *x, const json_t *args);
} cmddef_t;

typedef struct {
    const char *type;
    void (*fn)(core_t *c, const ev_t *ev);
} applydef_t;

#define ROLE_BIT(r) (1u << (r))

/* Reads a string argument and checks its length in code points (1..max).
 * Returns 0, SP_E_BAD_MESSAGE, SP_E_TEXT_EMPTY or SP_E_TEXT_TOO_LONG. */
int arg_text(const json_t *args, const char *key, size_t max, const char **out);

/* Module tables, each ended by an entry with a NULL name/type. */
extern const cmddef_t board_cmds[];
extern const applydef_t board_apply[];
extern const applydef_t sprint_apply[];

int team_index(const core_t *c, const char *id);
int member_index(const core_t *c, const char *id);

#endif
