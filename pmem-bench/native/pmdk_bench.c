/*
 * pmdk_bench.c - PMDK libpmemobj (1.12) baseline for the Java pmem pool JMH
 * benchmarks. Built by build-pmdk.sh, run configuration by configuration by
 * the benchmark suites (dev.pmemspring.bench.suite.PmdkBaseline). Same
 * machine, same run.
 *
 * Output is CSV on stdout, one line per configuration:
 *     pmdk,<benchmark>,<mode>,<param>,<threads>,<ns_per_op>
 * Diagnostics go to stderr. <mode> is only a label from --mode. The real
 * mode is chosen by the PMDK environment that the caller sets:
 *   process: PMEM_IS_PMEM_FORCE=1 PMEM_NO_FLUSH=1 (PMDK treats the mapping as
 *            pmem and skips cache flushes. Only the store fences are left.)
 *   sync:    neither variable set. On a non-DAX file (tmpfs) PMDK persists
 *            with msync(2).
 *
 * Benchmarks, and their Java counterparts:
 *   alloc-free SIZE THREADS SECONDS
 *       Each thread loops pmemobj_alloc() into a volatile (stack) PMEMoid,
 *       then pmemobj_free(). The destination is not in the pool, so PMDK has
 *       no destination offset to log. For run-backed (small) size classes
 *       the allocation's only logged metadata change is one 8-byte bitmap
 *       word, and the same holds for the free. PMDK applies a single 8-byte
 *       change directly, with no redo log. The allocation also writes and
 *       persists the object header, which is not logged. This is the fair
 *       counterpart of our unpublished allocate/free pair. One op = one
 *       alloc+free pair. 1 MiB goes through PMDK's huge (chunk) path instead
 *       of a run bitmap.
 *   alloc-into-free SIZE THREADS SECONDS
 *       As alloc-free, but the destination PMEMoid is inside the pool: this
 *       thread's slot in the root object (slots 64 bytes apart). One op =
 *       pmemobj_alloc(&slot) then pmemobj_free(&slot). PMDK now has to log
 *       the destination too: the allocation sets the slot and the free
 *       clears it in the same redo-logged step as the allocator's metadata,
 *       so a crash never leaves the slot pointing to free space nor an
 *       allocation unreachable. Counterpart of our published path,
 *       allocateInto(field) + freeFrom(field).
 *   open-time OBJECTS
 *       Fill a pool with OBJECTS live 64 B objects (each one published in a
 *       persistent PMEMoid array reachable from the root), then close it.
 *       Measure pmemobj_open() plus the first 64 B pmemobj_alloc(). That
 *       first allocation makes PMDK rebuild its volatile heap state: it scans
 *       the zone's chunks and runs. Closing is not timed. Report the median
 *       of 5 samples. By default each sample runs in a freshly exec'd
 *       process ("open-time"). --open-method inproc also reports a warm
 *       same-process reopen ("open-time-inproc"). See open_sample().
 *       Counterpart: the pool open/recovery benchmark.
 *   tx-snapshot SIZE THREADS SECONDS
 *       Each thread has its own object of SIZE bytes. One op =
 *       TX_BEGIN { pmemobj_tx_add_range(whole object); memset(new bytes) }
 *       TX_END (undo-log snapshot, then a flush of the range at commit).
 *   tx-alloc SIZE THREADS SECONDS
 *       One op = tx1 { snapshot slot; slot = pmemobj_tx_alloc(SIZE) } plus
 *       tx2 { snapshot slot; pmemobj_tx_free(slot); slot = OID_NULL }. The
 *       slot is a persistent per-thread PMEMoid in the root object.
 *
 * Timing (loop benchmarks): all threads start together at a barrier. They run
 * a 1 s warm-up, then a measured window of SECONDS. The main thread moves all
 * threads from warm-up to measurement to stop with one shared phase flag.
 * Each thread reads the clock only at the start and end of its own window.
 * Reported value, as JMH avgt reports it:
 *     ns_per_op = mean over threads of (thread_window_ns / thread_ops)
 * so it is per-operation latency as one thread sees it, NOT
 * elapsed * threads / total_ops. (With balanced threads the two are almost
 * the same.)
 *
 * PMDK runs with its defaults. PMEMOBJ_CONF is passed through if the caller
 * sets it (e.g. "stats.enabled=0").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpmemobj.h>

#define LAYOUT          "pmdk_bench"
#define MAX_THREADS     64
#define WARMUP_SECONDS  1
#define OPEN_SAMPLES    5
#define OPEN_OBJ_SIZE   64
#define MiB             ((size_t)1 << 20)
#define LOOP_POOL_SIZE  ((size_t)1 << 30)   /* 1 GiB for the loop benchmarks */

/* Per-thread persistent slot. Padded so two threads' slots never share a
 * cache line (allocations are cache-line aligned). */
struct slot {
	PMEMoid oid;
	char pad[64 - sizeof(PMEMoid)];
};

struct root {
	struct slot slots[MAX_THREADS]; /* tx-snapshot objects / tx-alloc and
	                                 * alloc-into-free slots */
	PMEMoid array;                  /* open-time: PMEMoid[nobjects] */
	uint64_t nobjects;
};

/* ---------------------------------------------------------------- globals */

static const char *g_mode = "unspecified";
static const char *g_dir = "/dev/shm";
static char g_path[4096];         /* current pool file ("" if none) */
static pid_t g_owner;             /* pid that created g_path; only it removes it */
static PMEMobjpool *g_pop;

enum { PHASE_WARMUP, PHASE_MEASURE, PHASE_STOP };
static atomic_int g_phase;
static pthread_barrier_t g_start;

/* ---------------------------------------------------------------- helpers */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_s(int s)
{
	struct timespec ts = { .tv_sec = s, .tv_nsec = 0 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Remove the pool file, but only in the process that created it. Forked
 * children leave with _exit() and never get here. */
static void cleanup(void)
{
	if (g_path[0] && getpid() == g_owner)
		unlink(g_path);
}

static void on_signal(int sig)
{
	if (g_path[0] && getpid() == g_owner)
		unlink(g_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A PMDK call failed: print its error message and exit non-zero. */
static void die_pmem(const char *what)
{
	int err = errno;
	const char *msg = pmemobj_errormsg();
	fprintf(stderr, "pmdk_bench: %s failed: %s (errno %d: %s)\n", what,
		msg && *msg ? msg : "(no pmemobj message)", err, strerror(err));
	fflush(stderr);
	if (getpid() != g_owner)
		_exit(1);
	exit(1);
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "pmdk_bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	if (getpid() != g_owner)
		_exit(2);
	exit(2);
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v == 0)
		die("invalid %s (need a positive integer)", what);
	return v;
}

static void print_result(const char *bench, uint64_t param, int threads,
			 double ns)
{
	printf("pmdk,%s,%s,%" PRIu64 ",%d,%.1f\n", bench, g_mode, param,
	       threads, ns);
	fflush(stdout);
}

static PMEMobjpool *create_pool(size_t size)
{
	snprintf(g_path, sizeof(g_path), "%s/pmdk_bench.%d.pool", g_dir,
		 (int)getpid());
	g_owner = getpid();
	unlink(g_path); /* pmemobj_create refuses existing files */
	PMEMobjpool *pop = pmemobj_create(g_path, LAYOUT, size, 0600);
	if (pop == NULL)
		die_pmem("pmemobj_create");
	return pop;
}

static void remove_pool(PMEMobjpool *pop)
{
	if (pop)
		pmemobj_close(pop);
	unlink(g_path);
	g_path[0] = '\0';
}

static struct root *get_root(PMEMobjpool *pop)
{
	PMEMoid r = pmemobj_root(pop, sizeof(struct root));
	if (OID_IS_NULL(r))
		die_pmem("pmemobj_root");
	return pmemobj_direct(r);
}

/* ------------------------------------------------------------- operations */

enum bench { B_ALLOC_FREE, B_ALLOC_INTO_FREE, B_TX_SNAPSHOT, B_TX_ALLOC };

struct worker {
	pthread_t tid;
	enum bench kind;
	size_t size;
	PMEMoid obj;          /* tx-snapshot: this thread's object */
	unsigned char *ptr;   /* tx-snapshot: direct pointer to obj */
	PMEMoid *slot;        /* tx-alloc, alloc-into-free: this thread's
	                       * persistent slot in the root */
	unsigned seq;
	uint64_t ops;         /* ops done in the measured window */
	uint64_t ns;          /* length of this thread's measured window */
} __attribute__((aligned(64)));

static inline void op_alloc_free(struct worker *w)
{
	PMEMoid oid; /* volatile destination: not in the pool, so not logged */
	if (pmemobj_alloc(g_pop, &oid, w->size, 0, NULL, NULL) != 0)
		die_pmem("pmemobj_alloc");
	pmemobj_free(&oid);
}

static inline void op_alloc_into_free(struct worker *w)
{
	/* destination inside the pool: published by the allocation's redo log */
	if (pmemobj_alloc(g_pop, w->slot, w->size, 0, NULL, NULL) != 0)
		die_pmem("pmemobj_alloc");
	pmemobj_free(w->slot); /* frees and sets the slot to OID_NULL, atomically */
}

/*
 * In the transaction ops below, a failed pmemobj_tx_* call aborts the
 * transaction and longjmps to TX_ONABORT (the default failure behavior).
 * The explicit return-value checks are only a fallback.
 */
static __attribute__((noinline)) void op_tx_snapshot(struct worker *w)
{
	int v = (int)(++w->seq & 0xff);
	TX_BEGIN(g_pop) {
		if (pmemobj_tx_add_range(w->obj, 0, w->size) != 0)
			die_pmem("pmemobj_tx_add_range");
		memset(w->ptr, v, w->size);
	} TX_ONABORT {
		die_pmem("tx-snapshot transaction");
	} TX_END
}

static __attribute__((noinline)) void op_tx_alloc(struct worker *w)
{
	PMEMoid *slot = w->slot;

	TX_BEGIN(g_pop) {
		if (pmemobj_tx_add_range_direct(slot, sizeof(*slot)) != 0)
			die_pmem("pmemobj_tx_add_range_direct");
		PMEMoid oid = pmemobj_tx_alloc(w->size, 0);
		if (OID_IS_NULL(oid))
			die_pmem("pmemobj_tx_alloc");
		*slot = oid;
	} TX_ONABORT {
		die_pmem("tx-alloc transaction (alloc)");
	} TX_END

	TX_BEGIN(g_pop) {
		if (pmemobj_tx_add_range_direct(slot, sizeof(*slot)) != 0)
			die_pmem("pmemobj_tx_add_range_direct");
		if (pmemobj_tx_free(*slot) != 0)
			die_pmem("pmemobj_tx_free");
		*slot = OID_NULL;
	} TX_ONABORT {
		die_pmem("tx-alloc transaction (free)");
	} TX_END
}

/* ------------------------------------------------------------ the harness */

/* Warm up until the main thread switches the phase, then count ops in the
 * measured window. The phase is read with a relaxed load on each iteration,
 * which is cheap next to one op. */
#define MEASURE_LOOP(w, OP) do {                                              \
	pthread_barrier_wait(&g_start);                                       \
	while (atomic_load_explicit(&g_phase, memory_order_relaxed)          \
	       == PHASE_WARMUP)                                               \
		OP;                                                           \
	uint64_t n_ = 0, t0_ = now_ns();                                      \
	while (atomic_load_explicit(&g_phase, memory_order_relaxed)          \
	       == PHASE_MEASURE) {                                            \
		OP;                                                           \
		n_++;                                                         \
	}                                                                     \
	(w)->ns = now_ns() - t0_;                                             \
	(w)->ops = n_;                                                        \
} while (0)

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	switch (w->kind) {
	case B_ALLOC_FREE:  MEASURE_LOOP(w, op_alloc_free(w));  break;
	case B_ALLOC_INTO_FREE: MEASURE_LOOP(w, op_alloc_into_free(w)); break;
	case B_TX_SNAPSHOT: MEASURE_LOOP(w, op_tx_snapshot(w)); break;
	case B_TX_ALLOC:    MEASURE_LOOP(w, op_tx_alloc(w));    break;
	}
	return NULL;
}

/* Run the threads. Return mean over threads of (window_ns / ops). */
static double run_threads(struct worker *ws, int nthreads, int seconds,
			  const char *name)
{
	atomic_store(&g_phase, PHASE_WARMUP);
	if (pthread_barrier_init(&g_start, NULL, (unsigned)nthreads + 1) != 0)
		die("%s: pthread_barrier_init failed", name);
	for (int i = 0; i < nthreads; i++) {
		int rc = pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);
		if (rc != 0)
			die("pthread_create: %s", strerror(rc));
	}
	pthread_barrier_wait(&g_start);
	sleep_s(WARMUP_SECONDS);
	atomic_store(&g_phase, PHASE_MEASURE);
	sleep_s(seconds);
	atomic_store(&g_phase, PHASE_STOP);

	double sum = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(ws[i].tid, NULL);
		if (ws[i].ops == 0)
			die("%s: a thread completed no operation", name);
		double per = (double)ws[i].ns / (double)ws[i].ops;
		fprintf(stderr, "  [%s size=%zu thread %d] %" PRIu64
			" ops in %.3f s -> %.1f ns/op\n", name, ws[i].size, i,
			ws[i].ops, ws[i].ns / 1e9, per);
		sum += per;
	}
	pthread_barrier_destroy(&g_start);
	return sum / nthreads;
}

static void bench_loop(enum bench kind, const char *name, size_t size,
		       int nthreads, int seconds)
{
	if (nthreads < 1 || nthreads > MAX_THREADS)
		die("threads must be 1..%s", "64");
	if (size > LOOP_POOL_SIZE / 4 / (size_t)nthreads)
		die("%s: size too large for the 1 GiB pool", name);

	g_pop = create_pool(LOOP_POOL_SIZE);
	struct root *root = get_root(g_pop);
	struct worker *ws = calloc((size_t)nthreads, sizeof(*ws));
	if (ws == NULL)
		die("%s: out of memory", name);

	for (int i = 0; i < nthreads; i++) {
		ws[i].kind = kind;
		ws[i].size = size;
		if (kind == B_TX_SNAPSHOT) {
			/* pre-allocate the thread's object, published in root */
			if (pmemobj_zalloc(g_pop, &root->slots[i].oid, size,
					   0) != 0)
				die_pmem("pmemobj_zalloc");
			ws[i].obj = root->slots[i].oid;
			ws[i].ptr = pmemobj_direct(ws[i].obj);
		} else if (kind == B_TX_ALLOC || kind == B_ALLOC_INTO_FREE) {
			ws[i].slot = &root->slots[i].oid; /* OID_NULL (root is zeroed) */
		}
	}

	double ns = run_threads(ws, nthreads, seconds, name);
	print_result(name, size, nthreads, ns);

	free(ws);
	remove_pool(g_pop);
	g_pop = NULL;
}

/* -------------------------------------------------------------- open-time */

/* One timed sample: pmemobj_open + first 64 B alloc into a volatile oid.
 * After timing (untimed): check the pool content, free, close. */
static uint64_t open_once(uint64_t expect_objects)
{
	uint64_t t0 = now_ns();
	PMEMobjpool *pop = pmemobj_open(g_path, LAYOUT);
	if (pop == NULL)
		die_pmem("pmemobj_open");
	uint64_t t1 = now_ns();
	PMEMoid oid;
	if (pmemobj_alloc(pop, &oid, OPEN_OBJ_SIZE, 0, NULL, NULL) != 0)
		die_pmem("pmemobj_alloc (first after open)");
	uint64_t t2 = now_ns();
	uint64_t dt = t2 - t0;
	fprintf(stderr, "  [open-time] open %.3f ms + first alloc %.3f ms\n",
		(t1 - t0) / 1e6, (t2 - t1) / 1e6);

	struct root *root = get_root(pop);
	PMEMoid *arr = pmemobj_direct(root->array);
	if (root->nobjects != expect_objects || arr == NULL ||
	    OID_IS_NULL(arr[expect_objects - 1]))
		die("%s: pool content is not what was created", "open-time");
	pmemobj_free(&oid);
	pmemobj_close(pop);
	return dt;
}

/*
 * How each sample is taken. --open-method takes a comma list, default exec.
 * Each method prints its own line: exec as "open-time", the others as
 * "open-time-fork" and "open-time-inproc". All use the same filled pool.
 *   exec   (default) fork, then exec this binary again ("open-sample"). The
 *          new process times open+alloc and sends the result through a pipe.
 *          This is the real case: an application starts and opens an
 *          existing pool. Process and library start-up are not timed. The
 *          first-touch page faults of PMDK's runtime structures (lanes,
 *          buckets, recycler) are timed.
 *   fork   plain fork, no exec. The child inherits the parent's malloc heap
 *          copy-on-write, so every PMDK malloc in the child pays COW faults
 *          and TLB flushes. That is an artifact a real process doesn't have.
 *   inproc reopen in the same process. PMDK caches nothing across
 *          pmemobj_close(), but malloc arenas, page tables and CPU caches are
 *          already warm. This gives a lower bound on the fixed cost.
 * In all three the tmpfs pages stay in the page cache, and each open mmaps
 * the pool again (new page faults on the pool mapping).
 */
enum open_method { OPEN_EXEC, OPEN_FORK, OPEN_INPROC, OPEN_NMETHODS };
static const char *const open_method_name[OPEN_NMETHODS] = {
	"exec", "fork", "inproc" };
static const char *const open_bench_name[OPEN_NMETHODS] = {
	"open-time", "open-time-fork", "open-time-inproc" };
static unsigned g_open_methods = 1u << OPEN_EXEC; /* bit set of methods */

static uint64_t open_sample(enum open_method method, uint64_t expect_objects)
{
	if (method == OPEN_INPROC)
		return open_once(expect_objects);

	int fds[2];
	if (pipe(fds) != 0)
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		if (method == OPEN_EXEC) {
			/* the new process writes its result to stdout = pipe */
			char nbuf[32];
			snprintf(nbuf, sizeof(nbuf), "%" PRIu64, expect_objects);
			if (dup2(fds[1], STDOUT_FILENO) < 0)
				_exit(3);
			execl("/proc/self/exe", "pmdk_bench", "open-sample",
			      g_path, nbuf, (char *)NULL);
			fprintf(stderr, "pmdk_bench: exec: %s\n", strerror(errno));
			_exit(3);
		}
		uint64_t dt = open_once(expect_objects);
		if (write(fds[1], &dt, sizeof(dt)) != (ssize_t)sizeof(dt))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	char buf[64] = { 0 };
	ssize_t n = 0, r;
	while (n < (ssize_t)sizeof(buf) - 1 &&
	       (r = read(fds[0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(fds[0]);
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("%s: measurement child failed", "open-time");
	uint64_t dt = 0;
	if (method == OPEN_EXEC) {
		if (sscanf(buf, "%" SCNu64, &dt) != 1)
			die("%s: bad result from child", "open-time");
	} else {
		if (n != (ssize_t)sizeof(dt))
			die("%s: bad result from child", "open-time");
		memcpy(&dt, buf, sizeof(dt));
	}
	return dt;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void bench_open_time(uint64_t nobjects)
{
	/* ~128 B of heap per 64 B object (size class + header), 16 B per
	 * array slot, plus 64 MiB headroom. */
	size_t size = (size_t)nobjects * (128 + sizeof(PMEMoid)) + 64 * MiB;

	PMEMobjpool *pop = create_pool(size);
	struct root *root = get_root(pop);

	/* root->array is written atomically by pmemobj_zalloc */
	if (pmemobj_zalloc(pop, &root->array, nobjects * sizeof(PMEMoid), 0)
	    != 0)
		die_pmem("pmemobj_zalloc (array)");
	PMEMoid *arr = pmemobj_direct(root->array);

	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < nobjects; i++) {
		/* publish each object into arr[i], so it stays live */
		if (pmemobj_alloc(pop, &arr[i], OPEN_OBJ_SIZE, 0, NULL, NULL)
		    != 0)
			die_pmem("pmemobj_alloc (fill)");
	}
	root->nobjects = nobjects;
	pmemobj_persist(pop, &root->nobjects, sizeof(root->nobjects));
	fprintf(stderr, "  [open-time] filled %" PRIu64 " objects in %.2f s "
		"(pool %zu MiB)\n", nobjects, (now_ns() - t0) / 1e9,
		size / MiB);
	pmemobj_close(pop);

	for (int m = 0; m < OPEN_NMETHODS; m++) {
		if (!(g_open_methods & (1u << m)))
			continue;
		uint64_t samples[OPEN_SAMPLES];
		for (int i = 0; i < OPEN_SAMPLES; i++) {
			samples[i] = open_sample((enum open_method)m, nobjects);
			fprintf(stderr, "  [open-time objects=%" PRIu64
				" method=%s] sample %d: %.3f ms\n", nobjects,
				open_method_name[m], i, samples[i] / 1e6);
		}
		qsort(samples, OPEN_SAMPLES, sizeof(samples[0]), cmp_u64);
		print_result(open_bench_name[m], nobjects, 1,
			     (double)samples[OPEN_SAMPLES / 2]);
	}
	remove_pool(NULL);
}

/* ------------------------------------------------------------------- main */

static void usage(void);

/* "exec,inproc" -> bit set of enum open_method */
static unsigned parse_open_methods(const char *list)
{
	unsigned set = 0;
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save, *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		int m;
		for (m = 0; m < OPEN_NMETHODS; m++)
			if (strcmp(t, open_method_name[m]) == 0)
				break;
		if (m == OPEN_NMETHODS)
			usage();
		set |= 1u << m;
	}
	if (set == 0)
		usage();
	return set;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pmdk_bench [--dir DIR] [--mode NAME] "
		"[--open-method M[,M..]] CMD ARGS\n"
		"  alloc-free  SIZE THREADS SECONDS\n"
		"  alloc-into-free SIZE THREADS SECONDS\n"
		"  open-time   OBJECTS\n"
		"  tx-snapshot SIZE THREADS SECONDS\n"
		"  tx-alloc    SIZE THREADS SECONDS\n"
		"Set PMEM_IS_PMEM_FORCE=1 PMEM_NO_FLUSH=1 in the environment for\n"
		"the no-flush mode. --mode is only a label for the CSV.\n"
		"open-time methods: exec (default), fork, inproc.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *pos[8];
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			g_dir = argv[++i];
		else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
			g_mode = argv[++i];
		else if (strcmp(argv[i], "--open-method") == 0 && i + 1 < argc)
			g_open_methods = parse_open_methods(argv[++i]);
		else if (strncmp(argv[i], "--", 2) == 0 || npos == 8)
			usage();
		else
			pos[npos++] = argv[i];
	}
	if (npos == 0)
		usage();

	g_owner = getpid();
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	const char *cmd = pos[0];
	if (strcmp(cmd, "open-sample") == 0) {
		/* internal, used by open-time --open-method exec: POOL OBJECTS.
		 * Print the sample in ns on stdout (a pipe to the parent). */
		if (npos != 3)
			usage();
		g_owner = 0; /* never remove the parent's pool file */
		snprintf(g_path, sizeof(g_path), "%s", pos[1]);
		uint64_t dt = open_once(parse_u64(pos[2], "OBJECTS"));
		g_path[0] = '\0';
		printf("%" PRIu64 "\n", dt);
		return 0;
	}
	if (strcmp(cmd, "open-time") == 0) {
		if (npos != 2)
			usage();
		bench_open_time(parse_u64(pos[1], "OBJECTS"));
		return 0;
	}

	enum bench kind;
	if (strcmp(cmd, "alloc-free") == 0)
		kind = B_ALLOC_FREE;
	else if (strcmp(cmd, "alloc-into-free") == 0)
		kind = B_ALLOC_INTO_FREE;
	else if (strcmp(cmd, "tx-snapshot") == 0)
		kind = B_TX_SNAPSHOT;
	else if (strcmp(cmd, "tx-alloc") == 0)
		kind = B_TX_ALLOC;
	else
		usage();
	if (npos != 4)
		usage();
	size_t size = (size_t)parse_u64(pos[1], "SIZE");
	int threads = (int)parse_u64(pos[2], "THREADS");
	int seconds = (int)parse_u64(pos[3], "SECONDS");
	bench_loop(kind, cmd, size, threads, seconds);
	return 0;
}
