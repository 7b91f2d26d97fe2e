/*
 * Compiled search core of the engine (private): exact route timing and a
 * ruin-and-recreate search (SISR-style string removal, tier-ordered greedy
 * insertion with blinks, annealing on cost within equal served counts).
 *
 * The timing rules are those of solver/_engine/route.py `evaluate`: leave at the
 * shift start, earliest service start in the first window that is still open,
 * breaks taken in gaps as a prefix of the sorted list (a break is not owed when the
 * engineer is home no later than its window opens), the schedule with the least
 * (lateness, home time) is the route's. tests/solver/test_core.py checks that both
 * agree on feasibility and cost for random routes.
 *
 * The search is plain C: `search_run` takes the model (a Model of pointers into
 * arrays), the routes to start from and the budget, and returns the best routes found
 * (lexicographic: served P1, P2, P3, P4, then cost). The Python binding at the end
 * (`search`, and `evaluate` for the tests) only converts: it takes the model's buffers
 * by name from a dict (int64, the travel matrix int32, eligibility bytes; the one list
 * of them is BUFS, exported as `_core.BUFFERS`) and the routes from lists.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int64_t i64;
#define INF ((i64)1 << 60)
#define WAITING_ALL 100 /* up to this many waiting tickets, recreate tries them all */
#define NEAR 20         /* else the waiting ones among this many neighbours of a removed one */

typedef struct {
    int K, N, P, W, NB;
    const int32_t *dur; /* P * P travel seconds: int32 keeps a 12,000-point matrix at 576 MB */
    const i64 *tier, *duration, *demand, *win_s, *win_e, *hard, *soft, *late_w, *fixed;
    const uint8_t *eligible; /* N * K, 0/1 */
    const i64 *assign, *shift_s, *shift_e, *max_jobs, *max_work, *capacity;
    const i64 *brk_off, *brk, *nfrozen, *pin_eng, *in_pool, *nb, *targeted0;
    i64 travel_w, lb_w;
} Model;

/* ------------------------------------------------------------------ rng */
typedef struct { uint64_t s; } Rng;
static inline uint64_t rng_next(Rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static inline double rng_unit(Rng *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }
static inline int rng_int(Rng *r, int n) { return n <= 1 ? 0 : (int)(rng_next(r) % (uint64_t)n); }

/* ------------------------------------------------------------------ timing */
static inline i64 serve(const Model *m, int j, i64 ready, int onsite) {
    i64 f = m->fixed[j];
    if (f >= 0) return (onsite || ready <= f) ? f : -1;
    const i64 *ws = m->win_s + (i64)j * m->W, *we = m->win_e + (i64)j * m->W;
    for (int w = 0; w < m->W; w++) {
        if (ws[w] >= INF) continue;
        if (ready <= we[w]) {
            i64 s = ready > ws[w] ? ready : ws[w];
            return s <= m->hard[j] ? s : -1;
        }
    }
    return -1;
}

static inline i64 late_of(const Model *m, int j, i64 s) {
    return s > m->soft[j] ? m->late_w[j] * (s - m->soft[j]) : 0;
}

/* Least lateness over the feasible break placements (<= 1 break); -1: infeasible. */
static i64 best_single(const Model *m, int k, const int *seq, int n, const i64 *tt) {
    i64 bo = m->brk_off[k], nbk = m->brk_off[k + 1] - bo;
    i64 shift_e = m->shift_e[k];
    i64 deps[n + 2], lates[n + 2];
    i64 clock = m->shift_s[k], late = 0, home = -1;
    int nd = 1;
    deps[0] = clock;
    lates[0] = 0;
    for (int g = 0; g <= n; g++) {
        i64 ready = clock + tt[g];
        if (g == n) { home = ready; break; }
        int j = seq[g];
        i64 s = serve(m, j, ready, g == 0 && tt[0] == 0);
        if (s < 0) break;
        late += late_of(m, j, s);
        clock = s + m->duration[j];
        deps[nd] = clock;
        lates[nd] = late;
        nd++;
    }
    i64 best_late = -1, best_home = 0;
    if (home >= 0 && home <= shift_e && (nbk == 0 || home <= m->brk[bo * 3])) {
        best_late = late;
        best_home = home;
    }
    if (nbk == 0) return best_late;
    i64 ws = m->brk[bo * 3], we = m->brk[bo * 3 + 1], bd = m->brk[bo * 3 + 2];
    for (int g0 = 0; g0 < nd; g0++) {
        i64 c0 = deps[g0];
        if (c0 > we) break;
        i64 lt = lates[g0];
        clock = c0;
        int ok = 1;
        for (int g = g0; g <= n; g++) {
            i64 t = tt[g], ready;
            if (g == g0) {
                ready = (clock + t > ws ? clock + t : ws) + bd;
            } else {
                ready = clock + t;
            }
            if (g == n) { home = ready; break; }
            int j = seq[g];
            i64 s = serve(m, j, ready, g == 0 && t == 0);
            if (s < 0) { ok = 0; break; }
            lt += late_of(m, j, s);
            clock = s + m->duration[j];
        }
        if (!ok || home > shift_e) continue;
        if (best_late < 0 || lt < best_late || (lt == best_late && home < best_home)) {
            best_late = lt;
            best_home = home;
        }
    }
    return best_late;
}

/* Forward schedule with break i in gap gaps[i] for i < t; -1: infeasible. */
static i64 forward_multi(const Model *m, int k, const int *seq, int n, const i64 *tt,
                         const int *gaps, int t, i64 *home_out) {
    i64 bo = m->brk_off[k];
    i64 clock = m->shift_s[k], late = 0;
    int bi = 0;
    for (int g = 0; g <= n; g++) {
        i64 tr = tt[g], ready;
        if (bi < t && gaps[bi] == g) {
            i64 rem = tr, c = clock;
            while (bi < t && gaps[bi] == g) {
                const i64 *b = m->brk + (bo + bi) * 3;
                i64 bs = c > b[0] ? c : b[0];
                if (bs > b[1]) return -1;
                if (bs - c >= rem) rem = 0; else rem -= bs - c;
                c = bs + b[2];
                bi++;
            }
            ready = c + rem;
        } else {
            ready = clock + tr;
        }
        if (g == n) { *home_out = ready; return late; }
        int j = seq[g];
        i64 s = serve(m, j, ready, g == 0 && tr == 0);
        if (s < 0) return -1;
        late += late_of(m, j, s);
        clock = s + m->duration[j];
    }
    return -1;
}

static i64 best_multi(const Model *m, int k, const int *seq, int n, const i64 *tt) {
    i64 bo = m->brk_off[k];
    int nbk = (int)(m->brk_off[k + 1] - bo);
    i64 shift_e = m->shift_e[k];
    i64 best_late = -1, best_home = 0;
    int gaps[nbk + 1];
    for (int t = nbk; t >= 0; t--) {
        for (int i = 0; i < t; i++) gaps[i] = 0;
        for (;;) {
            i64 home = 0;
            i64 lt = forward_multi(m, k, seq, n, tt, gaps, t, &home);
            if (lt >= 0 && home <= shift_e) {
                int owed = 0;
                for (int i = t; i < nbk; i++)
                    if (home > m->brk[(bo + i) * 3]) { owed = 1; break; }
                if (!owed && (best_late < 0 || lt < best_late || (lt == best_late && home < best_home))) {
                    best_late = lt;
                    best_home = home;
                }
            }
            /* next non-decreasing tuple over 0..n */
            int i = t - 1;
            while (i >= 0 && gaps[i] == n) i--;
            if (i < 0) break;
            gaps[i]++;
            for (int q = i + 1; q < t; q++) gaps[q] = gaps[i];
        }
    }
    return best_late;
}

typedef struct { i64 cost, work, load; } Eval;

/* Time route `seq` of engineer k; 0 when it breaks a hard rule. */
static int eval_route(const Model *m, int k, const int *seq, int n, Eval *out) {
    if ((i64)n > m->max_jobs[k]) return 0;
    int K = m->K;
    i64 travel = 0, service = 0, load = 0, assign = 0;
    i64 tt[n + 1];
    int prev = k;
    for (int g = 0; g < n; g++) {
        int j = seq[g];
        if (!m->eligible[(i64)j * K + k]) return 0;
        int node = 2 * K + j;
        tt[g] = m->dur[(i64)prev * m->P + node];
        travel += tt[g];
        service += m->duration[j];
        load += m->demand[j];
        assign += m->assign[(i64)j * K + k];
        prev = node;
    }
    tt[n] = m->dur[(i64)prev * m->P + (K + k)];
    if (n) travel += tt[n];
    else travel = 0;
    if (travel + service > m->max_work[k] || load > m->capacity[k]) return 0;
    i64 late = 0;
    if (n > 0) {
        int nbk = (int)(m->brk_off[k + 1] - m->brk_off[k]);
        late = nbk <= 1 ? best_single(m, k, seq, n, tt) : best_multi(m, k, seq, n, tt);
        if (late < 0) return 0;
    }
    out->cost = m->travel_w * travel + late + assign;
    out->work = travel + service;
    out->load = load;
    return 1;
}

/* ------------------------------------------------------------------ search state */
typedef struct { int tier; double key; int j; } Cand;

typedef struct {
    int L;             /* capacity of a route */
    int *seq;          /* K * L */
    int *len;          /* K */
    i64 *cost, *work, *load;
    i64 *lb;           /* K * (L+1): lower bound of the departure from position g */
    uint64_t *ver;     /* K */
} Routes;

typedef struct {
    const Model *m;
    Rng rng;
    Routes cur, bak, best;
    int *assigned;     /* N */
    int *touched;      /* K: iteration mark */
    int *touched_list; int n_touched;
    uint64_t next_ver;
    /* insertion cache */
    i64 *c_cost; int *c_pos; uint64_t *c_ver; /* N * K */
    double *targeted;
    int *tmp;
    int *removed; int n_removed;
    int *order;
    Cand *cands;
    int *mark; int mark_id;
    int *rmark; int rmark_id;
    int *elig, *elig_off; /* engineers each ticket may go to (CSR) */
} Search;

static int alloc_routes(Routes *r, int K, int L) {
    r->L = L;
    r->seq = calloc((size_t)K * L, sizeof(int));
    r->len = calloc(K, sizeof(int));
    r->cost = calloc(K, sizeof(i64));
    r->work = calloc(K, sizeof(i64));
    r->load = calloc(K, sizeof(i64));
    r->lb = calloc((size_t)K * (L + 1), sizeof(i64));
    r->ver = calloc(K, sizeof(uint64_t));
    return r->seq && r->len && r->cost && r->work && r->load && r->lb && r->ver;
}
static void free_routes(Routes *r) {
    free(r->seq); free(r->len); free(r->cost); free(r->work); free(r->load); free(r->lb); free(r->ver);
}
static void copy_route(Routes *dst, const Routes *src, int k) {
    int L = src->L;
    memcpy(dst->seq + (i64)k * L, src->seq + (i64)k * L, sizeof(int) * src->len[k]);
    memcpy(dst->lb + (i64)k * (L + 1), src->lb + (i64)k * (L + 1), sizeof(i64) * (src->len[k] + 1));
    dst->len[k] = src->len[k];
    dst->cost[k] = src->cost[k];
    dst->work[k] = src->work[k];
    dst->load[k] = src->load[k];
    dst->ver[k] = src->ver[k];
}

/* Lower bound of the departure times along route k (no breaks, earliest starts). */
static void compute_lb(Search *S, int k) {
    const Model *m = S->m;
    Routes *r = &S->cur;
    int n = r->len[k], K = m->K;
    const int *seq = r->seq + (i64)k * r->L;
    i64 *lb = r->lb + (i64)k * (r->L + 1);
    i64 clock = m->shift_s[k];
    int prev = k;
    lb[0] = clock;
    for (int g = 0; g < n; g++) {
        int j = seq[g], node = 2 * K + j;
        i64 t = m->dur[(i64)prev * m->P + node];
        i64 s = serve(m, j, clock + t, g == 0 && t == 0);
        clock = s < 0 ? INF / 4 : s + m->duration[j];
        lb[g + 1] = clock;
        prev = node;
    }
}

static void touch(Search *S, int k, int it) {
    if (S->touched[k] == it) return;
    S->touched[k] = it;
    S->touched_list[S->n_touched++] = k;
    copy_route(&S->bak, &S->cur, k);
}

static void set_route(Search *S, int k, const int *seq, int n, const Eval *ev) {
    Routes *r = &S->cur;
    memmove(r->seq + (i64)k * r->L, seq, sizeof(int) * n);
    r->len[k] = n;
    r->cost[k] = ev->cost;
    r->work[k] = ev->work;
    r->load[k] = ev->load;
    r->ver[k] = S->next_ver++;
    compute_lb(S, k);
}

/* Best place of ticket j in route k: cost delta and position (INF: none). */
static i64 best_in_route(Search *S, int j, int k, int *pos_out) {
    const Model *m = S->m;
    int K = m->K;
    i64 idx = (i64)j * K + k;
    Routes *r = &S->cur;
    if (S->c_ver[idx] == r->ver[k]) { *pos_out = S->c_pos[idx]; return S->c_cost[idx]; }
    i64 best = INF;
    int bpos = -1;
    int n = r->len[k];
    if (m->eligible[idx] && (i64)(n + 1) <= m->max_jobs[k] &&
        r->load[k] + m->demand[j] <= m->capacity[k]) {
        const int *seq = r->seq + (i64)k * r->L;
        const i64 *lb = r->lb + (i64)k * (r->L + 1);
        int *tmp = S->tmp;
        int nodej = 2 * K + j;
        int g0 = (int)m->nfrozen[k];
        for (int g = g0; g <= n; g++) {
            int a = g == 0 ? k : 2 * K + seq[g - 1];
            int c = g == n ? K + k : 2 * K + seq[g];
            i64 t1 = m->dur[(i64)a * m->P + nodej], t2 = m->dur[(i64)nodej * m->P + c];
            i64 detour = t1 + t2 - m->dur[(i64)a * m->P + c];
            if (r->work[k] + detour + m->duration[j] > m->max_work[k]) continue;
            if (lb[g] >= INF / 8) break;
            if (serve(m, j, lb[g] + t1, g == 0 && t1 == 0) < 0) continue;
            /* lateness of the others can only grow: travel and assignment bound the cost */
            if (m->travel_w * detour + m->assign[idx] >= best) continue;
            memcpy(tmp, seq, sizeof(int) * g);
            tmp[g] = j;
            memcpy(tmp + g + 1, seq + g, sizeof(int) * (n - g));
            Eval ev;
            if (!eval_route(m, k, tmp, n + 1, &ev)) continue;
            i64 d = ev.cost - r->cost[k];
            if (d < best) { best = d; bpos = g; }
        }
    }
    S->c_ver[idx] = r->ver[k];
    S->c_cost[idx] = best;
    S->c_pos[idx] = bpos;
    *pos_out = bpos;
    return best;
}

static int insert_at(Search *S, int j, int k, int pos, int it) {
    const Model *m = S->m;
    Routes *r = &S->cur;
    int n = r->len[k];
    int *tmp = S->tmp;
    const int *seq = r->seq + (i64)k * r->L;
    memcpy(tmp, seq, sizeof(int) * pos);
    tmp[pos] = j;
    memcpy(tmp + pos + 1, seq + pos, sizeof(int) * (n - pos));
    Eval ev;
    if (!eval_route(m, k, tmp, n + 1, &ev)) return 0;
    touch(S, k, it);
    set_route(S, k, tmp, n + 1, &ev);
    S->assigned[j] = k;
    return 1;
}

/* Remove the tickets in S->removed from their routes (a route that would become
 * infeasible keeps them). */
static void apply_removal(Search *S, int it) {
    const Model *m = S->m;
    Routes *r = &S->cur;
    S->mark_id++;
    S->rmark_id++;
    for (int i = 0; i < S->n_removed; i++) S->mark[S->removed[i]] = S->mark_id;
    int kept = 0;
    for (int i = 0; i < S->n_removed; i++) {
        int j = S->removed[i], k = S->assigned[j];
        if (k < 0 || S->rmark[k] == S->rmark_id) continue; /* route already handled */
        S->rmark[k] = S->rmark_id;
        const int *seq = r->seq + (i64)k * r->L;
        int n = r->len[k], nn = 0;
        int *tmp = S->tmp;
        for (int g = 0; g < n; g++)
            if (S->mark[seq[g]] != S->mark_id) tmp[nn++] = seq[g];
        Eval ev;
        if (!eval_route(m, k, tmp, nn, &ev)) continue;
        touch(S, k, it);
        for (int g = 0; g < n; g++)
            if (S->mark[seq[g]] == S->mark_id) S->assigned[seq[g]] = -1;
        set_route(S, k, tmp, nn, &ev);
    }
    for (int i = 0; i < S->n_removed; i++)
        if (S->assigned[S->removed[i]] < 0) S->removed[kept++] = S->removed[i];
    S->n_removed = kept;
}

static void add_removed(Search *S, int j) {
    if (S->mark[j] == S->mark_id) return;
    S->mark[j] = S->mark_id;
    S->removed[S->n_removed++] = j;
}

/* ------------------------------------------------------------------ ruin */
typedef struct {
    double c_bar;   /* average removed */
    int l_max;      /* longest string */
    double blink;
    double temp0, temp_end;
    double p_target, p_random;
    double stall;   /* > 0: stop once served counts stalled for this share of the budget */
} Knobs;

static int pick_waiting(Search *S) {
    const Model *m = S->m;
    static const double tw[5] = {0, 1000.0, 100.0, 10.0, 1.0};
    double total = 0;
    for (int j = 0; j < m->N; j++)
        if (m->in_pool[j] && S->assigned[j] < 0) {
            double w = tw[m->tier[j]] / ((1.0 + S->targeted[j]) * (1.0 + S->targeted[j]));
            total += w;
        }
    if (total <= 0) return -1;
    double x = rng_unit(&S->rng) * total;
    int last = -1;
    for (int j = 0; j < m->N; j++)
        if (m->in_pool[j] && S->assigned[j] < 0) {
            double w = tw[m->tier[j]] / ((1.0 + S->targeted[j]) * (1.0 + S->targeted[j]));
            x -= w;
            last = j;
            if (x <= 0) return j;
        }
    return last;
}

static int movable(const Search *S, int j) { return S->assigned[j] >= 0 && S->m->pin_eng[j] < 0; }

static int random_served(Search *S) {
    const Model *m = S->m;
    for (int tries = 0; tries < 64; tries++) {
        int j = rng_int(&S->rng, m->N);
        if (movable(S, j)) return j;
    }
    int cnt = 0;
    for (int j = 0; j < m->N; j++) cnt += movable(S, j);
    if (!cnt) return -1;
    int x = rng_int(&S->rng, cnt);
    for (int j = 0; j < m->N; j++)
        if (movable(S, j) && x-- == 0) return j;
    return -1;
}

/* SISR adjacent string removal around `seed` (a ticket, served or not). */
static void ruin_strings(Search *S, int seed, const Knobs *kn) {
    const Model *m = S->m;
    Routes *r = &S->cur;
    int K = m->K;
    double avg_len = 0;
    int used = 0;
    for (int k = 0; k < K; k++) if (r->len[k]) { avg_len += r->len[k]; used++; }
    avg_len = used ? avg_len / used : 1;
    double ls_max = kn->l_max < avg_len ? kn->l_max : avg_len;
    double ks_max = 4.0 * kn->c_bar / (1.0 + ls_max) - 1.0;
    int ks = (int)(rng_unit(&S->rng) * ks_max) + 1;
    int done = 0;
    S->rmark_id++;
    int nbw = m->NB;
    for (int i = -1; i < nbw && done < ks; i++) {
        int j = i < 0 ? seed : (int)m->nb[(i64)seed * nbw + i];
        if (j < 0) continue;
        int k = S->assigned[j];
        if (k < 0 || S->rmark[k] == S->rmark_id) continue;
        S->rmark[k] = S->rmark_id;
        int n = r->len[k];
        const int *seq = r->seq + (i64)k * r->L;
        double lmax = ls_max < n ? ls_max : n;
        int len = (int)(rng_unit(&S->rng) * lmax) + 1;
        if (len > n) len = n;
        int pos = 0;
        while (seq[pos] != j) pos++;
        int lo = pos - rng_int(&S->rng, len);
        if (lo < 0) lo = 0;
        if (lo + len > n) lo = n - len;
        for (int g = lo; g < lo + len; g++)
            if (m->pin_eng[seq[g]] < 0) add_removed(S, seq[g]);
        done++;
    }
}

static void ruin_random(Search *S, int q) {
    for (int i = 0; i < q; i++) {
        int j = random_served(S);
        if (j >= 0) add_removed(S, j);
    }
}

/* ------------------------------------------------------------------ recreate */
static int cmp_cand(const void *a, const void *b) {
    const Cand *x = (const Cand *)a, *y = (const Cand *)b;
    if (x->tier != y->tier) return x->tier < y->tier ? -1 : 1;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->j < y->j ? -1 : (x->j > y->j);
}

/* How many engineers to look at before the next one passed over (geometric). */
static int next_blink(Search *S, double blink) {
    if (blink <= 0) return 1 << 30;
    double u = rng_unit(&S->rng);
    double g = log(u > 1e-300 ? u : 1e-300) / log(1.0 - blink);
    return g > 1e9 ? 1 << 30 : (int)g;
}

/* The tickets to re-insert: removed tickets and the waiting pool tickets; with many
 * waiting, mostly only those near the removed ones (the others' chances did not change
 * much), now and then all of them. Fills S->order; returns how many. */
static int recreate_candidates(Search *S, int first) {
    const Model *m = S->m;
    int cnt = 0, waiting = 0;
    for (int j = 0; j < m->N; j++) waiting += m->in_pool[j] && S->assigned[j] < 0;
    if (waiting <= WAITING_ALL || rng_unit(&S->rng) < 0.1) {
        for (int j = 0; j < m->N; j++)
            if (m->in_pool[j] && S->assigned[j] < 0 && j != first) S->order[cnt++] = j;
        return cnt;
    }
    S->mark_id++;
    int nbw = m->NB < NEAR ? m->NB : NEAR;
    for (int i = 0; i < S->n_removed; i++) {
        int r = S->removed[i];
        if (S->assigned[r] < 0 && r != first && S->mark[r] != S->mark_id) {
            S->mark[r] = S->mark_id;
            S->order[cnt++] = r;
        }
        for (int q = 0; q < nbw; q++) {
            int j = (int)m->nb[(i64)r * m->NB + q];
            if (m->in_pool[j] && S->assigned[j] < 0 && j != first && S->mark[j] != S->mark_id) {
                S->mark[j] = S->mark_id;
                S->order[cnt++] = j;
            }
        }
    }
    return cnt;
}

/* Sort the cnt candidates in S->order by tier, then by a key drawn at random: random,
 * longest first, widest windows, or hardest; ``first`` (when waiting) goes before them
 * all. Returns the new count. */
static int recreate_order(Search *S, int cnt, int first) {
    const Model *m = S->m;
    int mode = rng_int(&S->rng, 11);
    Cand *cands = S->cands;
    for (int i = 0; i < cnt; i++) {
        int j = S->order[i];
        double key;
        if (mode < 4) key = rng_unit(&S->rng);
        else if (mode < 8) key = -(double)m->duration[j];
        else if (mode < 10) {
            i64 w = 0;
            for (int q = 0; q < m->W; q++)
                if (m->win_s[(i64)j * m->W + q] < INF) w += m->win_e[(i64)j * m->W + q] - m->win_s[(i64)j * m->W + q];
            key = (double)w;
        } else key = (double)m->hard[j];
        cands[i].tier = (int)m->tier[j];
        cands[i].key = key;
        cands[i].j = j;
    }
    qsort(cands, cnt, sizeof(Cand), cmp_cand);
    for (int i = 0; i < cnt; i++) S->order[i] = cands[i].j;
    if (first >= 0 && S->assigned[first] < 0) {
        memmove(S->order + 1, S->order, sizeof(int) * cnt);
        S->order[0] = first;
        cnt++;
    }
    return cnt;
}

/* Insert each ticket of S->order[0..cnt) at its cheapest position over its eligible
 * engineers (some skipped: blinks), if it fits anywhere. */
static void recreate_insert(Search *S, const Knobs *kn, int cnt, int it) {
    int K = S->m->K;
    for (int i = 0; i < cnt; i++) {
        int j = S->order[i];
        i64 best = INF;
        int bk = -1, bpos = -1;
        const int *ek = S->elig + S->elig_off[j];
        int ne = S->elig_off[j + 1] - S->elig_off[j];
        int skip = next_blink(S, kn->blink);
        for (int e = 0; e < ne; e++) {
            if (skip-- == 0) { skip = next_blink(S, kn->blink); continue; }
            int k = ek[e], pos;
            i64 idx = (i64)j * K + k, c;
            if (S->c_ver[idx] == S->cur.ver[k]) { c = S->c_cost[idx]; pos = S->c_pos[idx]; }
            else c = best_in_route(S, j, k, &pos);
            if (c < best) { best = c; bk = k; bpos = pos; }
        }
        if (bk >= 0) insert_at(S, j, bk, bpos, it);
    }
}

static void recreate(Search *S, const Knobs *kn, int first, int it) {
    int cnt = recreate_candidates(S, first);
    cnt = recreate_order(S, cnt, first);
    recreate_insert(S, kn, cnt, it);
}

/* ------------------------------------------------------------------ objective */
typedef struct { i64 unserved[4]; i64 cost; } Obj;

static Obj objective(const Search *S) {
    const Model *m = S->m;
    Obj o;
    memset(&o, 0, sizeof o);
    for (int j = 0; j < m->N; j++)
        if (S->assigned[j] < 0) o.unserved[m->tier[j] - 1]++;
    i64 mx = -INF, mn = INF;
    for (int k = 0; k < m->K; k++) {
        o.cost += S->cur.cost[k];
        if (S->cur.work[k] > mx) mx = S->cur.work[k];
        if (S->cur.work[k] < mn) mn = S->cur.work[k];
    }
    if (m->lb_w && m->K) o.cost += m->lb_w * (mx - mn);
    return o;
}

/* -1: a better, 0: equal, 1: b better; *tiers_differ set when served counts differ */
static int obj_cmp(const Obj *a, const Obj *b, int *tiers_differ) {
    for (int t = 0; t < 4; t++)
        if (a->unserved[t] != b->unserved[t]) {
            *tiers_differ = 1;
            return a->unserved[t] < b->unserved[t] ? -1 : 1;
        }
    *tiers_differ = 0;
    return a->cost < b->cost ? -1 : (a->cost > b->cost);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------ the search (plain C) */
typedef struct {
    const int *seq; /* the tickets of every route, route after route */
    const int *len; /* K: tickets in each route */
} RoutesIn;

typedef struct {
    int *seq;          /* the best routes' tickets, route after route (malloc) */
    int *len;          /* K (malloc) */
    long long its;     /* iterations run */
    int bad_route;     /* with SEARCH_INFEASIBLE: the route that breaks a hard rule */
} RoutesOut;

typedef struct {
    double seconds;    /* wall-clock budget */
    long long max_its; /* < 0: until `seconds` have passed */
    long long seed;
    Knobs kn;
} SearchParams;

enum { SEARCH_OK = 0, SEARCH_NOMEM = 1, SEARCH_INFEASIBLE = 2 };

static void search_free(Search *S) {
    free_routes(&S->cur); free_routes(&S->bak); free_routes(&S->best);
    free(S->assigned); free(S->touched); free(S->touched_list); free(S->c_cost); free(S->c_pos);
    free(S->c_ver); free(S->targeted); free(S->tmp); free(S->removed); free(S->order); free(S->cands);
    free(S->mark); free(S->rmark); free(S->elig); free(S->elig_off);
}

/* The working memory of a search on model m; 0 when out of memory (search_free releases
 * whatever was taken either way). */
static int search_alloc(Search *S, const Model *m) {
    int K = m->K, N = m->N, L = N + 1;
    memset(S, 0, sizeof *S);
    S->m = m;
    int ok = alloc_routes(&S->cur, K, L) && alloc_routes(&S->bak, K, L) && alloc_routes(&S->best, K, L);
    S->assigned = malloc(sizeof(int) * (N + 1));
    S->touched = calloc(K, sizeof(int));
    S->touched_list = calloc(K + 1, sizeof(int));
    S->c_cost = calloc((size_t)N * K + 1, sizeof(i64));
    S->c_pos = calloc((size_t)N * K + 1, sizeof(int));
    S->c_ver = calloc((size_t)N * K + 1, sizeof(uint64_t));
    S->targeted = calloc(N + 1, sizeof(double));
    S->tmp = calloc(L + 2, sizeof(int));
    S->removed = calloc(N + 1, sizeof(int));
    S->order = calloc(N + 2, sizeof(int));
    S->cands = calloc(N + 1, sizeof(Cand));
    S->mark = calloc(N + 1, sizeof(int));
    S->rmark = calloc(K + 1, sizeof(int));
    S->elig_off = calloc(N + 1, sizeof(int));
    i64 total = 0;
    for (i64 q = 0; q < (i64)N * K; q++) total += m->eligible[q] != 0;
    S->elig = calloc(total + 1, sizeof(int));
    if (S->elig && S->elig_off) {
        int at = 0;
        for (int j = 0; j < N; j++) {
            S->elig_off[j] = at;
            for (int k = 0; k < K; k++)
                if (m->eligible[(i64)j * K + k]) S->elig[at++] = k;
        }
        S->elig_off[N] = at;
    }
    return ok && S->assigned && S->touched && S->touched_list && S->c_cost && S->c_pos && S->c_ver &&
           S->targeted && S->tmp && S->removed && S->order && S->cands && S->mark && S->rmark &&
           S->elig && S->elig_off;
}

/* Start from the given routes: 0, or 1 + k when route k breaks a hard rule (or is not a
 * route: longer than N, or a ticket index out of range). */
static int search_start(Search *S, const RoutesIn *in) {
    const Model *m = S->m;
    int K = m->K, N = m->N;
    for (int j = 0; j < N; j++) { S->assigned[j] = -1; S->targeted[j] = (double)m->targeted0[j]; }
    S->next_ver = 1;
    const int *src = in->seq;
    for (int k = 0; k < K; k++) {
        int n = in->len[k];
        if (n < 0 || n > N) return 1 + k;
        for (int g = 0; g < n; g++) {
            if (src[g] < 0 || src[g] >= N) return 1 + k;
            S->tmp[g] = src[g];
        }
        src += n;
        Eval ev;
        if (!eval_route(m, k, S->tmp, n, &ev)) return 1 + k;
        for (int g = 0; g < n; g++) S->assigned[S->tmp[g]] = k;
        set_route(S, k, S->tmp, n, &ev);
    }
    return 0;
}

/* Undo the moves of a rejected iteration: the touched routes go back to their copies. */
static void revert_touched(Search *S) {
    int L = S->cur.L;
    for (int i = 0; i < S->n_touched; i++) {
        int k = S->touched_list[i];
        const int *seq = S->cur.seq + (i64)k * L;
        for (int g = 0; g < S->cur.len[k]; g++) S->assigned[seq[g]] = -1;
    }
    for (int i = 0; i < S->n_touched; i++) {
        int k = S->touched_list[i];
        copy_route(&S->cur, &S->bak, k);
        const int *seq = S->cur.seq + (i64)k * L;
        for (int g = 0; g < S->cur.len[k]; g++) S->assigned[seq[g]] = k;
    }
}

/* The ruin-and-recreate loop from the routes in S->cur; the best routes end in S->best.
 * Returns the iterations run. */
static long long search_loop(Search *S, const SearchParams *p) {
    const Model *m = S->m;
    const Knobs *kn = &p->kn;
    int K = m->K, N = m->N;
    long long max_its = p->max_its, its = 0;
    double seconds = p->seconds;
    double t_start = now_s(), deadline = t_start + seconds;
    Obj cur = objective(S), best = cur;
    for (int k = 0; k < K; k++) copy_route(&S->best, &S->cur, k);
    double avg = 0;
    {
        int served = 0;
        for (int j = 0; j < N; j++) served += S->assigned[j] >= 0;
        avg = served ? (double)cur.cost / served : 1.0;
        if (avg < 1) avg = 1;
    }
    double t0 = kn->temp0 * avg, t1 = kn->temp_end * avg;
    long long last_gain_its = 0;
    double last_gain_t = t_start;
    for (int it = 1;; it++) {
        if (max_its >= 0 && its >= max_its) break;
        if ((its & 7) == 0 && now_s() >= deadline) break;
        if (kn->stall > 0) {
            if (max_its >= 0) {
                double lim = kn->stall * (double)max_its;
                if ((double)(its - last_gain_its) > (lim > 50 ? lim : 50)) break;
            } else if ((its & 7) == 0 && now_s() - last_gain_t > kn->stall * seconds) break;
        }
        double frac = max_its >= 0 ? (double)its / (double)(max_its > 0 ? max_its : 1)
                                   : (now_s() - t_start) / (seconds > 1e-9 ? seconds : 1e-9);
        if (frac > 1) frac = 1;
        double temp = t0 > 0 ? t0 * pow(t1 / t0, frac) : 0;
        its++;
        S->n_touched = 0;
        S->n_removed = 0;
        S->mark_id++;
        int first = -1;
        double u = rng_unit(&S->rng);
        if (u < kn->p_random) {
            int q = 1 + rng_int(&S->rng, (int)(2 * kn->c_bar));
            ruin_random(S, q);
        } else {
            int seed_t = -1;
            if (u < kn->p_random + kn->p_target) {
                seed_t = pick_waiting(S);
                if (seed_t >= 0) {
                    S->targeted[seed_t] += 1;
                    if (rng_unit(&S->rng) < 0.5) first = seed_t;
                }
            }
            if (seed_t < 0) seed_t = random_served(S);
            if (seed_t < 0) break;
            ruin_strings(S, seed_t, kn);
        }
        apply_removal(S, it);
        recreate(S, kn, first, it);
        Obj nw = objective(S);
        int differ;
        int c = obj_cmp(&nw, &cur, &differ);
        int accept;
        if (differ) accept = c < 0;
        else accept = nw.cost <= cur.cost ||
                      (temp > 0 && rng_unit(&S->rng) < exp(-(double)(nw.cost - cur.cost) / temp));
        if (accept) {
            cur = nw;
            int d2;
            if (obj_cmp(&nw, &best, &d2) < 0) {
                if (d2) {
                    last_gain_its = its;
                    if (kn->stall > 0) last_gain_t = now_s();
                }
                best = nw;
                for (int k = 0; k < K; k++)
                    if (S->best.ver[k] != S->cur.ver[k]) copy_route(&S->best, &S->cur, k);
            }
        } else {
            revert_touched(S);
        }
        for (int i = 0; i < S->n_touched; i++) S->touched[S->touched_list[i]] = 0;
    }
    return its;
}

/* Copy the best routes out (out->seq and out->len malloc'ed); 0 when out of memory. */
static int take_best(const Search *S, RoutesOut *out) {
    int K = S->m->K, L = S->best.L;
    size_t total = 0;
    for (int k = 0; k < K; k++) total += (size_t)S->best.len[k];
    out->seq = malloc(sizeof(int) * (total + 1));
    out->len = malloc(sizeof(int) * ((size_t)K + 1));
    if (!out->seq || !out->len) return 0;
    int *dst = out->seq;
    for (int k = 0; k < K; k++) {
        out->len[k] = S->best.len[k];
        memcpy(dst, S->best.seq + (i64)k * L, sizeof(int) * S->best.len[k]);
        dst += S->best.len[k];
    }
    return 1;
}

static void free_routes_out(RoutesOut *out) {
    free(out->seq);
    free(out->len);
    out->seq = out->len = NULL;
}

/* Ruin-and-recreate search on model m from routes `in`; the best routes found go to
 * `out` (free them with free_routes_out, whatever the status). No Python inside: the
 * binding below calls it without the GIL. Returns SEARCH_OK, SEARCH_NOMEM, or
 * SEARCH_INFEASIBLE (out->bad_route set). */
int search_run(const Model *m, const RoutesIn *in, const SearchParams *p, RoutesOut *out) {
    Search S;
    int status = SEARCH_OK;
    memset(out, 0, sizeof *out);
    if (!search_alloc(&S, m)) {
        status = SEARCH_NOMEM;
        goto done;
    }
    S.rng.s = (uint64_t)p->seed * 0x2545F4914F6CDD1DULL + 12345;
    int bad = search_start(&S, in);
    if (bad) {
        out->bad_route = bad - 1;
        status = SEARCH_INFEASIBLE;
        goto done;
    }
    out->its = search_loop(&S, p);
    if (!take_best(&S, out)) status = SEARCH_NOMEM;
done:
    search_free(&S);
    return status;
}

/* ------------------------------------------------------------------ Python binding */
/* THE list of the model's buffers: name, item size, Model field and item count. The
 * binding takes each by name from a dict (built by solver/_engine/core.py::model_arrays),
 * so nothing depends on an order; `_core.BUFFERS` exports the names. */
typedef enum { C_PP, C_N, C_NW, C_NK, C_K, C_K1, C_ANY, C_NNB } Count;
typedef struct { const char *name; int size; size_t field; Count count; } BufSpec;
#define FIELD(f) offsetof(Model, f)
static const BufSpec BUFS[] = {
    {"dur", 4, FIELD(dur), C_PP},           /* int32 travel seconds, P x P */
    {"tier", 8, FIELD(tier), C_N},
    {"duration", 8, FIELD(duration), C_N},
    {"demand", 8, FIELD(demand), C_N},
    {"win_s", 8, FIELD(win_s), C_NW},
    {"win_e", 8, FIELD(win_e), C_NW},
    {"hard", 8, FIELD(hard), C_N},
    {"soft", 8, FIELD(soft), C_N},
    {"late_w", 8, FIELD(late_w), C_N},
    {"fixed", 8, FIELD(fixed), C_N},
    {"eligible", 1, FIELD(eligible), C_NK}, /* bytes 0/1, N x K */
    {"assign", 8, FIELD(assign), C_NK},
    {"shift_s", 8, FIELD(shift_s), C_K},
    {"shift_e", 8, FIELD(shift_e), C_K},
    {"max_jobs", 8, FIELD(max_jobs), C_K},
    {"max_work", 8, FIELD(max_work), C_K},
    {"capacity", 8, FIELD(capacity), C_K},
    {"brk_off", 8, FIELD(brk_off), C_K1},
    {"brk", 8, FIELD(brk), C_ANY},          /* (start, end, duration) per break */
    {"nfrozen", 8, FIELD(nfrozen), C_K},
    {"pin_eng", 8, FIELD(pin_eng), C_N},
    {"in_pool", 8, FIELD(in_pool), C_N},
    {"nb", 8, FIELD(nb), C_NNB},
    {"targeted", 8, FIELD(targeted0), C_N},
};
#define NBUF ((int)(sizeof BUFS / sizeof BUFS[0]))

static Py_ssize_t count_of(Count c, int K, int N, int W, int NB) {
    int P = 2 * K + N;
    switch (c) {
    case C_PP: return (Py_ssize_t)P * P;
    case C_N: return N;
    case C_NW: return (Py_ssize_t)N * W;
    case C_NK: return (Py_ssize_t)N * K;
    case C_K: return K;
    case C_K1: return K + 1;
    case C_NNB: return (Py_ssize_t)N * NB;
    default: return -1;
    }
}

static int get_buf(PyObject *o, Py_buffer *b, Py_ssize_t want, const char *name, int size) {
    if (PyObject_GetBuffer(o, b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        b->obj = NULL;
        return -1;
    }
    int fmt_ok = size == 8   ? (!b->format || !strcmp(b->format, "l") || !strcmp(b->format, "q"))
                 : size == 4 ? (!b->format || !strcmp(b->format, "i"))
                             : (!b->format || !strcmp(b->format, "?") || !strcmp(b->format, "B"));
    if (b->itemsize != size || !fmt_ok) {
        PyErr_Format(PyExc_TypeError, "%s must be a contiguous int%d array", name, 8 * size);
        PyBuffer_Release(b);
        b->obj = NULL;
        return -1;
    }
    if (want >= 0 && b->len / size != want) {
        PyErr_Format(PyExc_ValueError, "%s has %zd items, expected %zd", name, b->len / size, want);
        PyBuffer_Release(b);
        b->obj = NULL;
        return -1;
    }
    return 0;
}

static void release_model(Py_buffer *bufs) {
    for (int q = 0; q < NBUF; q++)
        if (bufs[q].obj) PyBuffer_Release(&bufs[q]);
}

/* Take the model's buffers from the dict `named` (names and sizes checked) and point a
 * Model at them; -1 with an exception set (and nothing held) on failure. */
static int bind_model(PyObject *named, Py_buffer *bufs, Model *m, int K, int N, int W, int NB,
                      i64 travel_w, i64 lb_w) {
    memset(bufs, 0, sizeof(Py_buffer) * NBUF);
    memset(m, 0, sizeof *m);
    if (PyDict_Size(named) != NBUF) {
        PyErr_Format(PyExc_ValueError, "expected the %d model buffers named in _core.BUFFERS, got %zd",
                     NBUF, PyDict_Size(named));
        return -1;
    }
    for (int i = 0; i < NBUF; i++) {
        PyObject *o = PyDict_GetItemString(named, BUFS[i].name);
        if (!o) {
            PyErr_Format(PyExc_KeyError, "model buffer %s is missing", BUFS[i].name);
            release_model(bufs);
            return -1;
        }
        if (get_buf(o, &bufs[i], count_of(BUFS[i].count, K, N, W, NB), BUFS[i].name, BUFS[i].size) < 0) {
            release_model(bufs);
            return -1;
        }
        const void *data = bufs[i].buf;
        memcpy((char *)m + BUFS[i].field, &data, sizeof data);
    }
    m->K = K; m->N = N; m->P = 2 * K + N; m->W = W; m->NB = NB;
    m->travel_w = travel_w;
    m->lb_w = lb_w;
    return 0;
}

/* The start routes (a list of K lists of ticket indices) as RoutesIn arrays (malloc);
 * -1 with an exception set on failure. */
static int parse_routes(PyObject *routes, int K, int N, int **seq_out, int **len_out) {
    *seq_out = NULL;
    *len_out = NULL;
    if (!PyList_Check(routes) || PyList_Size(routes) != K) {
        PyErr_SetString(PyExc_ValueError, "routes must be a list with one list per engineer");
        return -1;
    }
    size_t total = 0;
    for (int k = 0; k < K; k++) {
        PyObject *lst = PyList_GET_ITEM(routes, k);
        Py_ssize_t n = PyList_Check(lst) ? PyList_Size(lst) : -1;
        if (n < 0 || n > N) {
            PyErr_SetString(PyExc_ValueError, "each route must be a list of ticket indices");
            return -1;
        }
        total += (size_t)n;
    }
    int *seq = malloc(sizeof(int) * (total + 1)), *len = malloc(sizeof(int) * ((size_t)K + 1));
    if (!seq || !len) {
        free(seq);
        free(len);
        PyErr_NoMemory();
        return -1;
    }
    int at = 0;
    for (int k = 0; k < K; k++) {
        PyObject *lst = PyList_GET_ITEM(routes, k);
        Py_ssize_t n = PyList_Size(lst);
        for (Py_ssize_t g = 0; g < n; g++) {
            long v = PyLong_AsLong(PyList_GetItem(lst, g));
            if (v < 0 || v >= N || (v == -1 && PyErr_Occurred())) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "ticket index out of range");
                free(seq);
                free(len);
                return -1;
            }
            seq[at++] = (int)v;
        }
        len[k] = (int)n;
    }
    *seq_out = seq;
    *len_out = len;
    return 0;
}

/* (routes, iterations) as Python objects. */
static PyObject *routes_result(const RoutesOut *out, int K) {
    PyObject *routes = PyList_New(K);
    if (!routes) return NULL;
    const int *src = out->seq;
    for (int k = 0; k < K; k++) {
        PyObject *lst = PyList_New(out->len[k]);
        if (!lst) { Py_DECREF(routes); return NULL; }
        for (int g = 0; g < out->len[k]; g++) PyList_SET_ITEM(lst, g, PyLong_FromLong(src[g]));
        src += out->len[k];
        PyList_SET_ITEM(routes, k, lst);
    }
    return Py_BuildValue("(NL)", routes, out->its);
}

/* search((K, N, W, NB), buffers, routes, travel_w, lb_w, seconds, iterations, seed, knobs)
 * -> (best routes, iterations run) */
static PyObject *core_search(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *named, *init_routes;
    int K, N, W, NB;
    long long travel_w, lb_w;
    SearchParams sp;
    Knobs *kn = &sp.kn;
    if (!PyArg_ParseTuple(args, "(iiii)O!OLLdLL(ddddddd)", &K, &N, &W, &NB, &PyDict_Type, &named,
                          &init_routes, &travel_w, &lb_w, &sp.seconds, &sp.max_its, &sp.seed,
                          &kn->c_bar, &kn->temp0, &kn->temp_end, &kn->blink, &kn->p_target,
                          &kn->p_random, &kn->stall))
        return NULL;
    kn->l_max = 10;
    Py_buffer bufs[NBUF];
    Model m;
    if (bind_model(named, bufs, &m, K, N, W, NB, travel_w, lb_w) < 0) return NULL;
    int *seq, *len;
    PyObject *result = NULL;
    if (parse_routes(init_routes, K, N, &seq, &len) == 0) {
        RoutesIn in = {seq, len};
        RoutesOut out;
        int status;
        Py_BEGIN_ALLOW_THREADS
        status = search_run(&m, &in, &sp, &out);
        Py_END_ALLOW_THREADS
        if (status == SEARCH_NOMEM) PyErr_NoMemory();
        else if (status == SEARCH_INFEASIBLE)
            PyErr_Format(PyExc_ValueError, "route %d is not feasible", out.bad_route);
        else result = routes_result(&out, K);
        free_routes_out(&out);
        free(seq);
        free(len);
    }
    release_model(bufs);
    return result;
}

/* evaluate((K, N, W, NB), buffers, travel_w, lb_w, k, seq) -> (cost, work, load) or None: for tests */
static PyObject *core_evaluate(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *named, *seq_obj;
    int K, N, W, NB, k;
    long long travel_w, lb_w;
    if (!PyArg_ParseTuple(args, "(iiii)O!LLiO", &K, &N, &W, &NB, &PyDict_Type, &named, &travel_w,
                          &lb_w, &k, &seq_obj))
        return NULL;
    Py_buffer bufs[NBUF];
    Model m;
    if (bind_model(named, bufs, &m, K, N, W, NB, travel_w, lb_w) < 0) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = PyList_Check(seq_obj) ? PyList_Size(seq_obj) : -1;
    if (n < 0 || k < 0 || k >= K) {
        PyErr_SetString(PyExc_ValueError, "bad engineer or sequence");
        goto out;
    }
    int *seq = malloc(sizeof(int) * (n + 1));
    if (!seq) {
        PyErr_NoMemory();
        goto out;
    }
    for (Py_ssize_t g = 0; g < n; g++) seq[g] = (int)PyLong_AsLong(PyList_GetItem(seq_obj, g));
    Eval ev;
    if (eval_route(&m, k, seq, (int)n, &ev)) result = Py_BuildValue("(LLL)", ev.cost, ev.work, ev.load);
    else { Py_INCREF(Py_None); result = Py_None; }
    free(seq);
out:
    release_model(bufs);
    return result;
}

static PyMethodDef methods[] = {
    {"search", core_search, METH_VARARGS, "Ruin-and-recreate search from given routes."},
    {"evaluate", core_evaluate, METH_VARARGS, "Time one route: (cost, work, load) or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_core", NULL, -1, methods};

PyMODINIT_FUNC PyInit__core(void) {
    PyObject *mod = PyModule_Create(&module);
    if (!mod) return NULL;
    PyObject *names = PyTuple_New(NBUF);
    if (!names) { Py_DECREF(mod); return NULL; }
    for (int i = 0; i < NBUF; i++) {
        PyObject *s = PyUnicode_FromString(BUFS[i].name);
        if (!s) { Py_DECREF(names); Py_DECREF(mod); return NULL; }
        PyTuple_SET_ITEM(names, i, s);
    }
    if (PyModule_AddObject(mod, "BUFFERS", names) < 0) { Py_DECREF(names); Py_DECREF(mod); return NULL; }
    return mod;
}
