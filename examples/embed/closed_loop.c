/*
 * A spiking network controls a simulated plant: an agent on a line follows a moving target.
 *
 *   axon build tracker.axon --emit obj --symbol tracker -o tracker.o    # + tracker.h
 *   cc closed_loop.c tracker.o $(pkg-config --cflags --libs axon) -o closed_loop
 *   ./closed_loop            # prints the tracking error with and without the network
 *
 * The loop, every step of the simulation (axon_sim_run_until with a step callback):
 *   - sense: the tracking error e = target - position enters the network as currents injected
 *     into the sensory populations (axon_sim_inject: SR for e > 0, SL for e < 0, each neuron a
 *     little more or less sensitive, so that a larger |e| recruits more neurons and makes them
 *     fire faster), renewed every millisecond;
 *   - act: the motor populations' spikes of the step (axon_sim_step_spikes) are filtered into
 *     rates, and the agent moves with a velocity proportional to rate(MR) - rate(ML).
 * What is measured: the mean absolute tracking error |target - position| over the run after a
 * settling time, with the network driving the agent, and with the motor drive off (the same
 * network and sensing, but the agent does not move). With `--check` the program exits 1 unless
 * the network's error is below half of the error without it (make check runs it so).
 */
#include "tracker.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SENSE_EVERY 10 /* steps between sensor updates (1 ms at dt = 0.1 ms) */
#define TAU_RATE 0.02  /* s, the motor rate filter */
#define GAIN 0.012     /* velocity per Hz of rate difference, (1/s) / Hz */
#define I_REST 0.10    /* nA: sensory input at e = 0 (below threshold: silent) */
#define I_PER_E 0.9    /* nA per unit of error */
#define T_RUN 4.0      /* s */
#define T_SETTLE 0.5   /* s, left out of the measure */
#define TWO_PI 6.283185307179586

typedef struct {
    int drive;      /* the motor drive moves the agent */
    double x;       /* the agent's position */
    double rl, rr;  /* filtered rates of ML and MR, Hz per neuron */
    double err_sum; /* sum of |e| after T_SETTLE */
    unsigned long samples;
    uint32_t idx[tracker_SL_size];
    double cur[tracker_SL_size];
    axon_status st; /* the first failure in the callback */
} plant;

/* The target: two slow sinusoids. */
static double target(double t)
{
    return 0.8 * sin(TWO_PI * 0.25 * t) + 0.3 * sin(TWO_PI * 0.7 * t + 1.0);
}

/* Currents into one sensory population for an error of magnitude a >= 0 (in nA). */
static axon_status sense(axon_sim *sim, plant *p, const char *path, double a)
{
    for (uint32_t k = 0; k < tracker_SL_size; k++)
        p->cur[k] = (I_REST + I_PER_E * a) * (0.8 + 0.4 * k / tracker_SL_size);
    return axon_sim_inject(sim, path, p->idx, p->cur, tracker_SL_size, "nA");
}

static int control(axon_sim *sim, void *user)
{
    plant *p = user;
    double dt = axon_sim_model(sim)->dt, t = axon_sim_time(sim);
    size_t nl = 0, nr = 0;
    axon_sim_step_spikes(sim, tracker_pop_ML, NULL, &nl);
    axon_sim_step_spikes(sim, tracker_pop_MR, NULL, &nr);
    p->rl += (nl / (tracker_ML_size * dt) - p->rl) * dt / TAU_RATE;
    p->rr += (nr / (tracker_MR_size * dt) - p->rr) * dt / TAU_RATE;
    if (p->drive)
        p->x += GAIN * (p->rr - p->rl) * dt;
    double e = target(t) - p->x;
    if (t > T_SETTLE) {
        p->err_sum += fabs(e);
        p->samples++;
    }
    if (axon_sim_steps(sim) % SENSE_EVERY == 0 &&
        ((p->st = sense(sim, p, tracker_SR_I_path, e > 0 ? e : 0)) != AXON_OK ||
         (p->st = sense(sim, p, tracker_SL_I_path, e < 0 ? -e : 0)) != AXON_OK))
        return 1; /* stop the run */
    return 0;
}

/* Runs the loop for T_RUN; the mean |e|, or a negative number on failure. */
static double run(int drive, unsigned long seed)
{
    axon_err err = {{0}};
    axon_sim *sim = axon_sim_new(&tracker, &(axon_opts){.seed = seed}, &err);
    if (!sim) {
        fprintf(stderr, "closed_loop: %s\n", err.msg);
        return -1;
    }
    plant *p = calloc(1, sizeof *p);
    if (!p) {
        axon_sim_free(sim);
        return -1;
    }
    p->drive = drive;
    for (uint32_t k = 0; k < tracker_SL_size; k++)
        p->idx[k] = k;
    double mean = -1;
    if (axon_sim_run_until(sim, T_RUN, control, p) != AXON_OK)
        fprintf(stderr, "closed_loop: %s\n", axon_sim_error(sim));
    else if (p->st != AXON_OK)
        fprintf(stderr, "closed_loop: sensing: %s\n", axon_sim_error(sim));
    else
        mean = p->err_sum / (double)p->samples;
    if (mean >= 0)
        printf("%-17s mean |target - position| = %.4f; motor spikes ML %llu, MR %llu\n",
               drive ? "network:" : "motor drive off:", mean,
               (unsigned long long)axon_sim_spike_count(sim, tracker_pop_ML),
               (unsigned long long)axon_sim_spike_count(sim, tracker_pop_MR));
    free(p);
    axon_sim_free(sim);
    return mean;
}

int main(int argc, char **argv)
{
    int check = argc > 1 && !strcmp(argv[1], "--check");
    unsigned long seed = 1;
    double with = run(1, seed), without = run(0, seed);
    if (with < 0 || without < 0)
        return 1;
    printf("error ratio network / drive off = %.3f (seed %lu, %.1f s, after %.1f s)\n",
           with / without, seed, T_RUN, T_SETTLE);
    if (check && !(with < 0.5 * without)) {
        fprintf(stderr, "closed_loop: the network does not track the target\n");
        return 1;
    }
    return 0;
}
