/* Sandboxed Lua states for plugins: a counting allocator capping memory, an instruction-count hook
 * charging a run budget (a kill sticks), a restricted standard library, and a fresh global table for
 * every run so that globals written by one run are not seen by the next. */
#ifndef VOCD_LUAHOST_H
#define VOCD_LUAHOST_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

typedef struct vocd_luahost vocd_luahost;

struct vocd_luahost_limits {
	size_t memory;              /**< bytes the state may hold; 0 = 32 MiB */
	uint64_t instructions;      /**< per run; 0 = 10,000,000 */
	uint64_t load_instructions; /**< per load; 0 = 50,000,000 */
	size_t max_string;          /**< longest string string.rep may build; 0 = 4 MiB */
};

/** Why the last run or load failed. */
enum vocd_luahost_fail {
	VOCD_LUAHOST_OK = 0,
	VOCD_LUAHOST_ERROR,  /**< the code raised an error */
	VOCD_LUAHOST_BUDGET, /**< instruction budget spent */
	VOCD_LUAHOST_MEMORY, /**< memory cap hit: the state should be recreated */
};

/** Details of the last failure; strings point into the host and stay valid until the next run. */
struct vocd_luahost_error {
	enum vocd_luahost_fail kind;
	const char *message; /**< without the "file:line:" prefix when one was found */
	const char *file;    /**< the plugin file that raised ("" when unknown) */
	int line;            /**< 0 when unknown */
	const char *traceback;
};

/**
 * \brief Creates a sandboxed state: safe base functions, read-only string/table/math/utf8/coroutine
 * tables, os.time/clock/date only, a text-only `load`, string methods locked, the bounded string
 * functions of lua_pattern.c, and no io, package, require, debug, dofile, loadfile or string.dump.
 * The global `vocd` is not set here: the caller adds it with vocd_luahost_set_global().
 * \return 0, VOCD_ENOMEM.
 */
int vocd_luahost_new(vocd_luahost **out, const struct vocd_luahost_limits *lim);

/** \brief Closes the state and frees the host. Accepts NULL. */
void vocd_luahost_free(vocd_luahost *h);

/** \brief The state, for pushing arguments and registering functions. Owned by the host. */
lua_State *vocd_luahost_state(vocd_luahost *h);

/** \brief Pops the value on top of the stack and makes it the read-only global \p name for all code (in a
 * protected call: on a memory error it logs and the global stays unset). */
void vocd_luahost_set_global(vocd_luahost *h, const char *name);

/**
 * \brief Loads and runs the module \p code (text only) under the load budget, in the state's module
 * environment; leaves the chunk's first result (or nil) on the stack on success.
 * \param chunkname used in messages, e.g. "plugins/workflows/x/plugin.lua".
 * \return 0, VOCD_EPLUGIN (syntax error or raised: see vocd_luahost_last_error), VOCD_ELIMIT.
 */
int vocd_luahost_load(vocd_luahost *h, const char *code, size_t len, const char *chunkname);

/**
 * \brief Calls the function below \p nargs arguments on the stack under the run budget, with a fresh
 * global table whose missing names are looked up in the module environment. Leaves \p nres results on
 * success and nothing on failure. The fresh table is made inside the protected call; the caller pushed
 * the function and its arguments outside it, so embedders building large arguments should use
 * vocd_luahost_pcall() instead.
 * \return 0, VOCD_EPLUGIN (raised), VOCD_ELIMIT (instructions or memory: see last error kind).
 */
int vocd_luahost_run(vocd_luahost *h, int nargs, int nres);

/**
 * \brief Runs the C function \p fn in protected mode under the run budget: \p fn receives \p ud as a
 * light userdata (argument 1) followed by the \p nargs values on top of the stack. Use it for every step
 * around a plugin call that allocates in the state (building the arguments, converting the results):
 * a memory error or a kill there ends like one in plugin code, with VOCD_ELIMIT, instead of reaching
 * Lua's panic handler. \p fn calls plugin functions with vocd_luahost_call(). Leaves \p nres results on
 * success (LUA_MULTRET: all) and nothing on failure.
 * \return 0, VOCD_EPLUGIN (raised: see vocd_luahost_last_error), VOCD_ELIMIT.
 */
int vocd_luahost_pcall(vocd_luahost *h, lua_CFunction fn, void *ud, int nargs, int nres);

/**
 * \brief Only inside the function of vocd_luahost_pcall(): calls the function below \p nargs arguments
 * with a fresh global table, like vocd_luahost_run(). Raises on error (the enclosing pcall records it).
 */
void vocd_luahost_call(lua_State *L, int nargs, int nres);

/** \brief True while vocd_luahost_load is running (registration is allowed only then). */
int vocd_luahost_loading(lua_State *L);

/** \brief The last failure of \p h. */
const struct vocd_luahost_error *vocd_luahost_last_error(vocd_luahost *h);

/** \brief Bytes currently allocated by the state. */
size_t vocd_luahost_memory(vocd_luahost *h);

/** \brief The host owning \p L (set in the registry at creation). */
vocd_luahost *vocd_luahost_of(lua_State *L);

/** \brief Stores an opaque pointer for the embedder (the plugin instance) / gets it back. */
void vocd_luahost_set_userdata(vocd_luahost *h, void *ud);
void *vocd_luahost_userdata(lua_State *L);

/**
 * \brief Pushes a read-only view of the table at \p idx (recursively for nested tables): writes raise,
 * pairs/ipairs/# work. The view's metamethods are closures over the table behind it: the iterator
 * `pairs` returns accepts only its own view and raises for any other argument. May raise (allocates).
 */
void vocd_luahost_push_readonly(lua_State *L, int idx);

/**
 * \brief If the value at \p idx is a read-only view, pushes the table behind it (whose nested tables
 * are views too) and returns 1; otherwise pushes nothing and returns 0. For C code reading values raw.
 */
int vocd_luahost_readonly_target(lua_State *L, int idx);

#endif
