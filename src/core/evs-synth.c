/* evs-synth.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "evs-synth"

#include "config.h"

#include "evs-synth.h"
#include "evs-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A synthetic event camera, streamed slice by slice (1 ms).
 *
 * Signal: bright discs and gratings of bars move at constant velocity and
 * bounce off the borders.  The times at which an edge crosses a pixel centre
 * are solved exactly (ray against disc or box); each crossing emits 1–few
 * events of one polarity (ON when the bright object arrives, OFF when it
 * leaves).  Edges are blurred over EDGE_WIDTH_PX as lens optics do, so the
 * events of a crossing are spread over the time the blurred edge takes to
 * pass the pixel (EDGE_WIDTH_PX / normal speed: about 2 ms at 900 px/s,
 * 15 ms at 100 px/s), each after a pixel latency with jitter and spaced by
 * at least a refractory-like delay.  Times are then read out row by row on a
 * grid of ROW_TICK_US with a
 * per-row phase, so events of the same row close in time share one
 * timestamp, as the row bursts of real sensors do.
 *
 * Noise follows v2e: shot noise is a Poisson process of noise_hz per pixel
 * (ON or OFF with equal probability); leak events are ON events emitted
 * periodically by every pixel at leak_hz (±10 % per pixel, random phase);
 * hot pixels fire Poisson events at about hot_rate_hz (×0.5–1.5 each,
 * 80 % ON).
 *
 * Memory is O(sensor + events of MAX_DELAY_US).
 */

#define SLICE_US     1000.0
#define ROW_TICK_US  5
/* Delays stay below 65 ms - SLICE_US: sort_pending() sorts on 16 bits */
#define MAX_DELAY_US 50000.0
#define MAX_RAMP_US  40000.0
#define EDGE_WIDTH_PX 1.5
#define MAX_GROUPS   64

typedef struct
{
  guint64 s[4];
} Rng;

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
rng_next (Rng *r)
{
  guint64 *s = r->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

static void
rng_seed (Rng     *r,
          guint64  seed)
{
  for (int i = 0; i < 4; i++)
    {
      guint64 z = (seed += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

      z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
      z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
      r->s[i] = z ^ (z >> 31);
    }
}

static inline double
rng_uniform (Rng *r)
{
  return (rng_next (r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double
rng_range (Rng    *r,
           double  lo,
           double  hi)
{
  return lo + (hi - lo) * rng_uniform (r);
}

static inline double
rng_exp (Rng    *r,
         double  mean)
{
  return -mean * log1p (-rng_uniform (r));
}

static double
rng_normal (Rng *r)
{
  double u1 = rng_uniform (r), u2 = rng_uniform (r);

  return sqrt (-2.0 * log1p (-u1)) * cos (2.0 * G_PI * u2);
}

typedef enum
{
  SHAPE_DISC,
  SHAPE_BOX,
} Shape;

typedef struct
{
  Shape  shape;
  guint  group;
  double cx, cy;      /* centre at the start of the current slice (px) */
  double r;           /* disc radius */
  double hw, hh;      /* box half sizes */
} Obj;

typedef struct
{
  double vx, vy;      /* px/µs */
} Group;

typedef struct
{
  gint64  t;          /* µs since t_start */
  guint16 x, y;
  guint8  p, label;
  guint8  pad[2];
} Ev;

typedef struct
{
  double  t;          /* µs since t_start */
  guint32 pixel;      /* x | y << 16 */
  guint8  kind;       /* label */
  float   period;     /* leak: µs; hot: mean interval */
} Source;

struct _EvsSynth
{
  GObject        parent_instance;
  EvsSynthParams params;
  Rng            rng;

  GArray        *objs;        /* Obj */
  GArray        *groups;      /* Group */
  double         mean_events; /* per crossing */

  Source        *heap;        /* min-heap on t */
  gsize          heap_len;
  double         shot_rate;   /* events/µs on the whole sensor */
  double         next_shot;

  guint32       *hot;
  guint          n_hot;
  guint8        *row_phase;

  Ev            *pending;
  gsize          n_pending;
  gsize          pending_cap;
  Ev            *sorted;
  gsize          sorted_cap;
  gsize          n_ready;     /* sorted[0..n_ready) are final */
  gsize          cursor;

  guint64        slice;
  gboolean       done;
};

G_DEFINE_FINAL_TYPE (EvsSynth, evs_synth, G_TYPE_OBJECT)

const char *
evs_synth_label_to_string (EvsSynthLabel label)
{
  switch (label)
    {
    case EVS_SYNTH_LABEL_SIGNAL:
      return "signal";
    case EVS_SYNTH_LABEL_SHOT_NOISE:
      return "shot-noise";
    case EVS_SYNTH_LABEL_LEAK:
      return "leak";
    case EVS_SYNTH_LABEL_HOT_PIXEL:
      return "hot-pixel";
    case EVS_SYNTH_N_LABELS:
    default:
      return "unknown";
    }
}

/**
 * evs_synth_params_init:
 *
 * The defaults give the demo recording: 640×480, 10 s, about 3 M signal
 * events/s, 0.2 Hz shot noise and 0.1 Hz leak per pixel, 3 hot pixels at
 * about 2 kHz.
 */
void
evs_synth_params_init (EvsSynthParams *params)
{
  params->width = 640;
  params->height = 480;
  params->duration_us = 10000000;
  params->t_start_us = 0;
  params->seed = 1;
  params->rate = 3e6;
  params->noise_hz = 0.2;
  params->leak_hz = 0.1;
  params->n_hot_pixels = 3;
  params->hot_rate_hz = 2000.0;
}

static void
evs_synth_finalize (GObject *object)
{
  EvsSynth *self = (EvsSynth *) object;

  g_clear_pointer (&self->objs, g_array_unref);
  g_clear_pointer (&self->groups, g_array_unref);
  g_clear_pointer (&self->heap, g_free);
  g_clear_pointer (&self->hot, g_free);
  g_clear_pointer (&self->row_phase, g_free);
  g_clear_pointer (&self->pending, g_free);
  g_clear_pointer (&self->sorted, g_free);

  G_OBJECT_CLASS (evs_synth_parent_class)->finalize (object);
}

static void
evs_synth_class_init (EvsSynthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = evs_synth_finalize;
}

static void
evs_synth_init (EvsSynth *self)
{
}

/* Min-heap of noise sources */

static void
heap_push (EvsSynth     *self,
           const Source *s)
{
  gsize i = self->heap_len++;

  while (i > 0)
    {
      gsize parent = (i - 1) / 2;

      if (self->heap[parent].t <= s->t)
        break;
      self->heap[i] = self->heap[parent];
      i = parent;
    }
  self->heap[i] = *s;
}

static void
heap_replace_top (EvsSynth     *self,
                  const Source *s)
{
  gsize i = 0, n = self->heap_len;

  for (;;)
    {
      gsize l = 2 * i + 1, r = l + 1, m = i;
      double tm = s->t;

      if (l < n && self->heap[l].t < tm)
        m = l, tm = self->heap[l].t;
      if (r < n && self->heap[r].t < tm)
        m = r;
      if (m == i)
        break;
      self->heap[i] = self->heap[m];
      i = m;
    }
  self->heap[i] = *s;
}

static double
crossing_rate (const Obj   *o,
               const Group *g)
{
  /* pixel crossings per µs, leading plus trailing edges */
  if (o->shape == SHAPE_DISC)
    return 4.0 * o->r * hypot (g->vx, g->vy);
  return 2.0 * (2.0 * o->hh * fabs (g->vx) + 2.0 * o->hw * fabs (g->vy));
}

static double
add_group (EvsSynth *self)
{
  const EvsSynthParams *p = &self->params;
  double scale = MAX (p->width, p->height) / 640.0;
  double speed = rng_range (&self->rng, 300.0, 900.0) * scale * 1e-6;
  Group g;
  guint gi = self->groups->len;
  double rate = 0.0;

  /* Cycle through disc, vertical grating, disc, horizontal grating so that
   * every scene mixes edge orientations. */
  if (gi % 2 == 0)
    {
      double angle = rng_range (&self->rng, 0, 2 * G_PI);
      Obj o = { SHAPE_DISC, gi, 0, 0, 0, 0, 0 };

      g.vx = speed * cos (angle);
      g.vy = speed * sin (angle);
      o.r = MAX (rng_range (&self->rng, 15.0, 50.0) * scale, 3.0);
      o.cx = rng_range (&self->rng, o.r, MAX (p->width - o.r, o.r + 1));
      o.cy = rng_range (&self->rng, o.r, MAX (p->height - o.r, o.r + 1));
      g_array_append_val (self->objs, o);
      rate += crossing_rate (&o, &g);
    }
  else
    {
      /* a grating of bars, moving roughly across them */
      gboolean vertical = gi % 4 == 1;
      double angle = rng_range (&self->rng, -0.5, 0.5) + (rng_uniform (&self->rng) < 0.5 ? G_PI : 0);
      guint n_bars = 2 + (guint) (rng_uniform (&self->rng) * 3);
      double thick = MAX (rng_range (&self->rng, 3.0, 10.0) * scale, 2.0);
      double len = MAX (rng_range (&self->rng, 30.0, 80.0) * scale, 3.0);
      double gap = thick * 2 + rng_range (&self->rng, 10.0, 30.0) * scale;
      double x0, y0;

      if (!vertical)
        angle += G_PI / 2;
      g.vx = speed * cos (angle);
      g.vy = speed * sin (angle);
      x0 = rng_range (&self->rng, 0.1, 0.6) * p->width;
      y0 = rng_range (&self->rng, 0.1, 0.6) * p->height;
      for (guint b = 0; b < n_bars; b++)
        {
          Obj o = { SHAPE_BOX, gi, 0, 0, 0, 0, 0 };

          o.hw = vertical ? thick : len;
          o.hh = vertical ? len : thick;
          o.cx = x0 + (vertical ? b * gap : 0);
          o.cy = y0 + (vertical ? 0 : b * gap);
          g_array_append_val (self->objs, o);
          rate += crossing_rate (&o, &g);
        }
    }
  g_array_append_val (self->groups, g);
  return rate;
}

/**
 * evs_synth_new:
 *
 * Returns: (transfer full): a generator, or %NULL if the parameters are
 *   out of range
 */
EvsSynth *
evs_synth_new (const EvsSynthParams  *params,
               GError               **error)
{
  g_autoptr(EvsSynth) self = NULL;
  double base = 0.0;
  gsize n_pixels;

  g_return_val_if_fail (params != NULL, NULL);

  if (params->width < 16 || params->height < 16 || params->width > 8192
      || params->height > 8192)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "The sensor must be between 16×16 and 8192×8192 pixels (got %u×%u)",
                   params->width, params->height);
      return NULL;
    }
  if (params->duration_us <= 0 || params->t_start_us < 0
      || params->t_start_us > G_MAXINT64 / 2 || params->duration_us > G_MAXINT64 / 4)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "The duration must be positive and the start time non-negative");
      return NULL;
    }
  if (!(params->rate >= 0 && params->rate <= 1e9) || !(params->noise_hz >= 0 && params->noise_hz <= 1e4)
      || !(params->leak_hz >= 0 && params->leak_hz <= 1e4)
      || !(params->hot_rate_hz >= 0 && params->hot_rate_hz <= 1e6))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Rates out of range (rate ≤ 1e9 ev/s, noise and leak ≤ 1e4 Hz, "
                   "hot pixels ≤ 1e6 Hz)");
      return NULL;
    }
  n_pixels = (gsize) params->width * params->height;
  if (params->n_hot_pixels > n_pixels / 4)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Too many hot pixels (%u for %zu pixels)", params->n_hot_pixels, n_pixels);
      return NULL;
    }

  self = g_object_new (EVS_TYPE_SYNTH, NULL);
  self->params = *params;
  rng_seed (&self->rng, params->seed);
  self->objs = g_array_new (FALSE, FALSE, sizeof (Obj));
  self->groups = g_array_new (FALSE, FALSE, sizeof (Group));

  /* Scene: add objects until 2.5 events per crossing give the target rate,
   * then set the events per crossing (1–4) to hit it. */
  if (params->rate > 0)
    {
      do
        base += add_group (self);
      while (base * 1e6 * 2.5 < params->rate && self->groups->len < MAX_GROUPS);
      self->mean_events = CLAMP (params->rate / (base * 1e6), 1.0, 4.0);
    }

  self->row_phase = g_new (guint8, params->height);
  for (guint y = 0; y < params->height; y++)
    self->row_phase[y] = rng_next (&self->rng) % ROW_TICK_US;

  /* Noise sources */
  self->heap = g_new (Source, (params->leak_hz > 0 ? n_pixels : 0) + params->n_hot_pixels + 1);
  if (params->leak_hz > 0)
    {
      for (guint y = 0; y < params->height; y++)
        for (guint x = 0; x < params->width; x++)
          {
            double rate = params->leak_hz * MAX (1.0 + 0.1 * rng_normal (&self->rng), 0.2);
            Source s;

            s.period = 1e6 / rate;
            s.t = rng_uniform (&self->rng) * s.period;
            s.pixel = x | y << 16;
            s.kind = EVS_SYNTH_LABEL_LEAK;
            heap_push (self, &s);
          }
    }
  self->hot = g_new (guint32, MAX (params->n_hot_pixels, 1));
  while (self->n_hot < params->n_hot_pixels)
    {
      guint x = rng_next (&self->rng) % params->width;
      guint y = rng_next (&self->rng) % params->height;
      guint32 pix = x | y << 16;
      gboolean dup = FALSE;
      Source s;

      for (guint i = 0; i < self->n_hot; i++)
        dup |= self->hot[i] == pix;
      if (dup)
        continue;
      self->hot[self->n_hot++] = pix;
      if (params->hot_rate_hz > 0)
        {
          s.period = 1e6 / (params->hot_rate_hz * rng_range (&self->rng, 0.5, 1.5));
          s.t = rng_exp (&self->rng, s.period);
          s.pixel = pix;
          s.kind = EVS_SYNTH_LABEL_HOT_PIXEL;
          heap_push (self, &s);
        }
    }
  self->shot_rate = params->noise_hz * n_pixels * 1e-6;
  self->next_shot = self->shot_rate > 0 ? rng_exp (&self->rng, 1.0 / self->shot_rate) : INFINITY;

  return g_steal_pointer (&self);
}

static inline void
push_event (EvsSynth *self,
            gint64    t,
            guint     x,
            guint     y,
            guint     p,
            guint     label)
{
  Ev *e;

  if (self->n_pending == self->pending_cap)
    {
      self->pending_cap = MAX (self->pending_cap * 2, 16384);
      self->pending = g_renew (Ev, self->pending, self->pending_cap);
    }
  e = &self->pending[self->n_pending++];
  e->t = t;
  e->x = x;
  e->y = y;
  e->p = p;
  e->label = label;
}

/* Time interval during which the pixel centre (px, py) is inside @o, with
 * times relative to the slice start, and the speed of the edge along its
 * normal (px/µs) when it enters and when it leaves.  Returns FALSE when
 * never inside or not moving. */
static gboolean
inside_interval (const Obj   *o,
                 const Group *g,
                 double       px,
                 double       py,
                 double      *t_in,
                 double      *t_out,
                 double      *vn_in,
                 double      *vn_out)
{
  double dx = px - o->cx, dy = py - o->cy;

  if (o->shape == SHAPE_DISC)
    {
      double a = g->vx * g->vx + g->vy * g->vy;
      double b = -2.0 * (dx * g->vx + dy * g->vy);
      double c = dx * dx + dy * dy - o->r * o->r;
      double disc, sq;

      if (a <= 0)
        return FALSE;
      disc = b * b - 4 * a * c;
      if (disc <= 0)
        return FALSE;
      sq = sqrt (disc);
      *t_in = (-b - sq) / (2 * a);
      *t_out = (-b + sq) / (2 * a);
      /* the normal there is (pixel - centre) / r */
      *vn_in = fabs ((dx - g->vx * *t_in) * g->vx + (dy - g->vy * *t_in) * g->vy) / o->r;
      *vn_out = fabs ((dx - g->vx * *t_out) * g->vx + (dy - g->vy * *t_out) * g->vy) / o->r;
      return TRUE;
    }
  else
    {
      double lo = -INFINITY, hi = INFINITY;
      double v_lo = 0, v_hi = 0;   /* the speed across the face that bounds */

      if (g->vx != 0)
        {
          double a = (dx - o->hw) / g->vx, b = (dx + o->hw) / g->vx;

          lo = MAX (lo, MIN (a, b));
          hi = MIN (hi, MAX (a, b));
          v_lo = v_hi = fabs (g->vx);
        }
      else if (fabs (dx) > o->hw)
        return FALSE;
      if (g->vy != 0)
        {
          double a = (dy - o->hh) / g->vy, b = (dy + o->hh) / g->vy;

          if (MIN (a, b) > lo)
            {
              lo = MIN (a, b);
              v_lo = fabs (g->vy);
            }
          if (MAX (a, b) < hi)
            {
              hi = MAX (a, b);
              v_hi = fabs (g->vy);
            }
        }
      else if (fabs (dy) > o->hh)
        return FALSE;
      if (!(lo < hi) || !isfinite (lo) || !isfinite (hi))
        return FALSE;
      *t_in = lo;
      *t_out = hi;
      *vn_in = v_lo;
      *vn_out = v_hi;
      return TRUE;
    }
}

/* x extent of @o on the row centred at @yc, at time @tau of the slice */
static gboolean
row_extent (const Obj   *o,
            const Group *g,
            double       yc,
            double       tau,
            double      *lo,
            double      *hi)
{
  double cx = o->cx + g->vx * tau, cy = o->cy + g->vy * tau;
  double dy = yc - cy;

  if (o->shape == SHAPE_DISC)
    {
      double h;

      if (fabs (dy) >= o->r)
        return FALSE;
      h = sqrt (o->r * o->r - dy * dy);
      *lo = cx - h;
      *hi = cx + h;
      return TRUE;
    }
  if (fabs (dy) > o->hh)
    return FALSE;
  *lo = cx - o->hw;
  *hi = cx + o->hw;
  return TRUE;
}

/* The events of one pixel as an edge moving at @vn px/µs along its normal
 * crosses it.  The edge is not a sharp step: optics blur it over
 * EDGE_WIDTH_PX, so the pixel's log intensity ramps over EDGE_WIDTH_PX / vn
 * and its n events (n thresholds crossed) are spread evenly over that ramp
 * (the ramp starts at @t_cross), each after a pixel latency with jitter and
 * at least a refractory-like spacing after the previous one. */
static void
emit_crossing (EvsSynth *self,
               double    t_cross,
               double    vn,
               guint     x,
               guint     y,
               guint     p)
{
  double m = self->mean_events;
  guint n = MAX ((guint) m + (rng_uniform (&self->rng) < m - floor (m)), 1);
  double ramp = vn > EDGE_WIDTH_PX / MAX_RAMP_US ? EDGE_WIDTH_PX / vn : MAX_RAMP_US;
  double prev = -INFINITY;
  guint phase = self->row_phase[y];

  for (guint k = 0; k < n; k++)
    {
      double delay = ramp * (k + 0.5) / n + 15.0 + rng_exp (&self->rng, 40.0);
      double te;
      gint64 q;

      if (k > 0)
        delay = MAX (delay, prev + 30.0 + rng_exp (&self->rng, 80.0));
      prev = delay;
      te = t_cross + MIN (delay, MAX_DELAY_US);
      q = (gint64) ceil ((te - phase) / ROW_TICK_US) * ROW_TICK_US + phase;
      if (q < (gint64) ceil (t_cross))
        q += ROW_TICK_US;
      push_event (self, q, x, y, p, EVS_SYNTH_LABEL_SIGNAL);
    }
}

static void
gen_object (EvsSynth  *self,
            Obj       *o,
            double     t0)
{
  const Group *g = &g_array_index (self->groups, Group, o->group);
  const int W = self->params.width, H = self->params.height;
  double ext = o->shape == SHAPE_DISC ? o->r : o->hh;
  double y_lo = MIN (o->cy, o->cy + g->vy * SLICE_US) - ext - 1;
  double y_hi = MAX (o->cy, o->cy + g->vy * SLICE_US) + ext + 1;
  int ya = MAX ((int) floor (y_lo), 0);
  int yb = MIN ((int) ceil (y_hi), H - 1);

  for (int y = ya; y <= yb; y++)
    {
      double yc = y + 0.5;
      double a0, b0, a1, b1;
      gboolean e0 = row_extent (o, g, yc, 0, &a0, &b0);
      gboolean e1 = row_extent (o, g, yc, SLICE_US, &a1, &b1);
      double ranges[2][2];
      int n_ranges = 0;

      if (e0 && e1)
        {
          ranges[0][0] = MIN (a0, a1);
          ranges[0][1] = MAX (a0, a1);
          ranges[1][0] = MIN (b0, b1);
          ranges[1][1] = MAX (b0, b1);
          n_ranges = 2;
          if (ranges[0][1] + 2 >= ranges[1][0] - 2)
            {
              ranges[0][1] = ranges[1][1];
              n_ranges = 1;
            }
        }
      else if (e0 || e1)
        {
          ranges[0][0] = e0 ? a0 : a1;
          ranges[0][1] = e0 ? b0 : b1;
          n_ranges = 1;
        }

      for (int r = 0; r < n_ranges; r++)
        {
          int xa = MAX ((int) floor (ranges[r][0] - 0.5) - 1, 0);
          int xb = MIN ((int) ceil (ranges[r][1] - 0.5) + 1, W - 1);

          for (int x = xa; x <= xb; x++)
            {
              double t_in, t_out, vn_in, vn_out;

              if (!inside_interval (o, g, x + 0.5, yc, &t_in, &t_out, &vn_in, &vn_out))
                continue;
              if (t_in >= 0 && t_in < SLICE_US)
                emit_crossing (self, t0 + t_in, vn_in, x, y, 1);
              if (t_out >= 0 && t_out < SLICE_US)
                emit_crossing (self, t0 + t_out, vn_out, x, y, 0);
            }
        }
    }
}

static void
move_objects (EvsSynth *self)
{
  const double W = self->params.width, H = self->params.height;

  for (guint gi = 0; gi < self->groups->len; gi++)
    {
      Group *g = &g_array_index (self->groups, Group, gi);
      double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;

      for (guint i = 0; i < self->objs->len; i++)
        {
          Obj *o = &g_array_index (self->objs, Obj, i);
          double ex = o->shape == SHAPE_DISC ? o->r : o->hw;
          double ey = o->shape == SHAPE_DISC ? o->r : o->hh;

          if (o->group != gi)
            continue;
          o->cx += g->vx * SLICE_US;
          o->cy += g->vy * SLICE_US;
          x_lo = MIN (x_lo, o->cx - ex);
          x_hi = MAX (x_hi, o->cx + ex);
          y_lo = MIN (y_lo, o->cy - ey);
          y_hi = MAX (y_hi, o->cy + ey);
        }
      if ((x_lo < 0 && g->vx < 0) || (x_hi > W && g->vx > 0))
        g->vx = -g->vx;
      if ((y_lo < 0 && g->vy < 0) || (y_hi > H && g->vy > 0))
        g->vy = -g->vy;
    }
}

static void
gen_noise (EvsSynth *self,
           double    t_end)
{
  const EvsSynthParams *p = &self->params;

  while (self->next_shot < t_end)
    {
      guint64 r = rng_next (&self->rng);
      guint x = (guint) ((r & 0xFFFFFFFF) * (guint64) p->width >> 32);
      guint y = (guint) ((r >> 32) * (guint64) p->height >> 32);
      guint pol = rng_next (&self->rng) & 1;

      push_event (self, (gint64) floor (self->next_shot), x, y, pol, EVS_SYNTH_LABEL_SHOT_NOISE);
      self->next_shot += rng_exp (&self->rng, 1.0 / self->shot_rate);
    }

  while (self->heap_len > 0 && self->heap[0].t < t_end)
    {
      Source s = self->heap[0];
      guint pol = 1;

      if (s.kind == EVS_SYNTH_LABEL_HOT_PIXEL)
        pol = rng_uniform (&self->rng) < 0.8;
      push_event (self, (gint64) floor (s.t), s.pixel & 0xFFFF, s.pixel >> 16, pol, s.kind);
      if (s.kind == EVS_SYNTH_LABEL_LEAK)
        s.t += s.period;
      else
        s.t += rng_exp (&self->rng, s.period);
      heap_replace_top (self, &s);
    }
}

/* Stable LSD radix sort of pending events on (t - t0) ∈ [0, 65536) */
static void
sort_pending (EvsSynth *self,
              gint64    t0)
{
  gsize n = self->n_pending;
  Ev *a = self->pending, *b;
  gsize count[256];

  if (self->sorted_cap < n)
    {
      self->sorted_cap = MAX (n, self->pending_cap);
      self->sorted = g_renew (Ev, self->sorted, self->sorted_cap);
    }
  b = self->sorted;

  for (int shift = 0; shift < 16; shift += 8)
    {
      gsize sum = 0;

      memset (count, 0, sizeof count);
      for (gsize i = 0; i < n; i++)
        count[((a[i].t - t0) >> shift) & 0xFF]++;
      for (int k = 0; k < 256; k++)
        {
          gsize c = count[k];

          count[k] = sum;
          sum += c;
        }
      for (gsize i = 0; i < n; i++)
        b[count[((a[i].t - t0) >> shift) & 0xFF]++] = a[i];
      {
        Ev *tmp = a;

        a = b;
        b = tmp;
      }
    }
  /* after two passes the sorted data is back in self->pending */
  g_assert (a == self->pending);
}

static void
next_slice (EvsSynth *self)
{
  double t0 = self->slice * SLICE_US;
  double t1 = t0 + SLICE_US;
  gint64 limit;
  gsize n_out = 0;

  for (guint i = 0; i < self->objs->len; i++)
    gen_object (self, &g_array_index (self->objs, Obj, i), t0);
  move_objects (self);
  gen_noise (self, t1);
  self->slice++;

  sort_pending (self, (gint64) t0);

  /* Everything before t1 is final: later slices only add events ≥ t1. */
  limit = (gint64) t1;
  if (t1 >= (double) self->params.duration_us)
    {
      limit = self->params.duration_us;
      self->done = TRUE;
    }
  while (n_out < self->n_pending && self->pending[n_out].t < limit)
    n_out++;

  if (self->sorted_cap < n_out)
    {
      self->sorted_cap = MAX (n_out, self->pending_cap);
      self->sorted = g_renew (Ev, self->sorted, self->sorted_cap);
    }
  memcpy (self->sorted, self->pending, n_out * sizeof (Ev));
  memmove (self->pending, self->pending + n_out, (self->n_pending - n_out) * sizeof (Ev));
  self->n_pending -= n_out;
  self->n_ready = n_out;
  self->cursor = 0;
  if (self->done)
    self->n_pending = 0;
}

/**
 * evs_synth_fill:
 * @labels: (nullable) (out caller-allocates): one label per event, indexed
 *   like the chunk (room for the chunk's capacity)
 *
 * Appends events to @chunk until it is full or the recording ends.
 *
 * Returns: the number of events appended (0 at the end)
 */
gsize
evs_synth_fill (EvsSynth      *self,
                EvsEventChunk *chunk,
                guint8        *labels)
{
  gsize added = 0;
  gint64 t_start;

  g_return_val_if_fail (EVS_IS_SYNTH (self), 0);
  g_return_val_if_fail (chunk != NULL, 0);

  t_start = self->params.t_start_us;
  while (chunk->n_events < chunk->capacity)
    {
      gsize n;

      if (self->cursor == self->n_ready)
        {
          if (self->done)
            break;
          next_slice (self);
          continue;
        }
      n = MIN (self->n_ready - self->cursor, chunk->capacity - chunk->n_events);
      for (gsize i = 0; i < n; i++)
        {
          const Ev *e = &self->sorted[self->cursor + i];
          gsize j = chunk->n_events + i;

          chunk->t[j] = t_start + e->t;
          chunk->x[j] = e->x;
          chunk->y[j] = e->y;
          chunk->p[j] = e->p;
          if (labels != NULL)
            labels[j] = e->label;
        }
      chunk->n_events += n;
      self->cursor += n;
      added += n;
    }

  return added;
}

gboolean
evs_synth_is_done (EvsSynth *self)
{
  g_return_val_if_fail (EVS_IS_SYNTH (self), TRUE);

  return self->done && self->cursor == self->n_ready;
}

double
evs_synth_get_fraction (EvsSynth *self)
{
  g_return_val_if_fail (EVS_IS_SYNTH (self), 0.0);

  return CLAMP (self->slice * SLICE_US / (double) self->params.duration_us, 0.0, 1.0);
}

/**
 * evs_synth_get_hot_pixels:
 *
 * Returns: (transfer none) (array length=n_pixels): the injected hot pixels,
 *   as `x | y << 16`
 */
const guint32 *
evs_synth_get_hot_pixels (EvsSynth *self,
                          guint    *n_pixels)
{
  g_return_val_if_fail (EVS_IS_SYNTH (self), NULL);

  *n_pixels = self->n_hot;
  return self->hot;
}

/**
 * evs_synth_create_info:
 *
 * Returns: (transfer full): recording metadata for a writer
 */
EvsRecordingInfo *
evs_synth_create_info (EvsSynth *self)
{
  EvsRecordingInfo *info = evs_recording_info_new ();
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, self->params.seed);

  info->width = self->params.width;
  info->height = self->params.height;
  info->geometry_known = TRUE;
  evs_recording_info_add_header (info, "evscope_synth_seed", seed);
  return info;
}

/* Label files */

struct _EvsLabelWriter
{
  char    *path;
  char    *temp_path;
  FILE    *file;
  guint64  count;
};

EvsLabelWriter *
evs_label_writer_new (const char  *path,
                      GError     **error)
{
  EvsLabelWriter *w;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = g_strdup_printf ("%s%c.%s.XXXXXX.part", dir, G_DIR_SEPARATOR, base);
  guint8 header[EVS_LABELS_HEADER_SIZE] = { 0 };
  int fd;

  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create a file in “%s” to write “%s”: %s", dir, base,
                   g_strerror (errsv));
      return NULL;
    }
  w = g_new0 (EvsLabelWriter, 1);
  w->path = g_strdup (path);
  w->temp_path = g_steal_pointer (&tmpl);
  w->file = fdopen (fd, "w+b");
  memcpy (header, EVS_LABELS_MAGIC, 8);
  if (w->file == NULL || fwrite (header, 1, sizeof header, w->file) != sizeof header)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot write “%s”", path);
      if (w->file == NULL)
        close (fd);
      evs_label_writer_free (w);
      return NULL;
    }
  return w;
}

gboolean
evs_label_writer_write (EvsLabelWriter  *w,
                        const guint8    *labels,
                        gsize            n,
                        GError         **error)
{
  if (n > 0 && fwrite (labels, 1, n, w->file) != n)
    {
      int errsv = errno;

      g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot write “%s”: %s", w->path,
                   g_strerror (errsv));
      return FALSE;
    }
  w->count += n;
  return TRUE;
}

gboolean
evs_label_writer_finish (EvsLabelWriter  *w,
                         GError         **error)
{
  guint64 le = GUINT64_TO_LE (w->count);
  mode_t mask;

  if (fseek (w->file, 8, SEEK_SET) != 0 || fwrite (&le, 1, 8, w->file) != 8
      || fflush (w->file) != 0 || fsync (fileno (w->file)) != 0)
    {
      int errsv = errno;

      g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot write “%s”: %s", w->path,
                   g_strerror (errsv));
      return FALSE;
    }
  fclose (w->file);
  w->file = NULL;
  mask = umask (0);
  umask (mask);
  g_chmod (w->temp_path, 0666 & ~mask);
  if (g_rename (w->temp_path, w->path) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot move the finished file to “%s”: %s", w->path, g_strerror (errsv));
      return FALSE;
    }
  g_clear_pointer (&w->temp_path, g_free);
  return TRUE;
}

/**
 * evs_label_writer_free:
 *
 * Frees the writer; unless finished, the temporary file is removed.
 */
void
evs_label_writer_free (EvsLabelWriter *w)
{
  if (w == NULL)
    return;
  if (w->file != NULL)
    fclose (w->file);
  if (w->temp_path != NULL)
    g_unlink (w->temp_path);
  g_free (w->temp_path);
  g_free (w->path);
  g_free (w);
}

struct _EvsLabelReader
{
  char    *path;
  FILE    *file;
  guint64  count;
  guint64  done;
};

EvsLabelReader *
evs_label_reader_open (const char  *path,
                       GError     **error)
{
  EvsLabelReader *r;
  guint8 header[EVS_LABELS_HEADER_SIZE];
  GStatBuf st;
  FILE *f = g_fopen (path, "rb");
  guint64 count;

  if (f == NULL)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot open “%s”: %s", path, g_strerror (errsv));
      return NULL;
    }
  if (fread (header, 1, sizeof header, f) != sizeof header
      || memcmp (header, EVS_LABELS_MAGIC, 8) != 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNKNOWN_FORMAT,
                   "“%s” is not an Evscope label file (magic EVSLBL01 at offset 0)", path);
      fclose (f);
      return NULL;
    }
  memcpy (&count, header + 8, 8);
  count = GUINT64_FROM_LE (count);
  if (fstat (fileno (f), &st) != 0 || (guint64) st.st_size != EVS_LABELS_HEADER_SIZE + count)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "“%s” announces %" G_GUINT64_FORMAT " labels at offset 8 but holds %"
                   G_GINT64_FORMAT " bytes", path, count, (gint64) st.st_size - EVS_LABELS_HEADER_SIZE);
      fclose (f);
      return NULL;
    }
  r = g_new0 (EvsLabelReader, 1);
  r->path = g_strdup (path);
  r->file = f;
  r->count = count;
  return r;
}

guint64
evs_label_reader_get_count (EvsLabelReader *r)
{
  return r->count;
}

/**
 * evs_label_reader_read:
 *
 * Reads up to @n labels.  Returns the number read (0 at the end); a label
 * value ≥ %EVS_SYNTH_N_LABELS is an error naming its offset.
 */
gsize
evs_label_reader_read (EvsLabelReader  *r,
                       guint8          *labels,
                       gsize            n,
                       GError         **error)
{
  gsize got;

  n = MIN (n, r->count - r->done);
  got = fread (labels, 1, n, r->file);
  if (got != n)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED, "“%s” ends at offset %" G_GUINT64_FORMAT,
                   r->path, EVS_LABELS_HEADER_SIZE + r->done + got);
      return 0;
    }
  for (gsize i = 0; i < got; i++)
    if (labels[i] >= EVS_SYNTH_N_LABELS)
      {
        g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                     "“%s”: invalid label %u at offset %" G_GUINT64_FORMAT, r->path, labels[i],
                     EVS_LABELS_HEADER_SIZE + r->done + i);
        return 0;
      }
  r->done += got;
  return got;
}

void
evs_label_reader_free (EvsLabelReader *r)
{
  if (r == NULL)
    return;
  if (r->file != NULL)
    fclose (r->file);
  g_free (r->path);
  g_free (r);
}
