/* evs-refractory-filter.c
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

#define G_LOG_DOMAIN "evs-refractory-filter"

#include "config.h"

#include "evs-refractory-filter.h"
#include "evs-filter-private.h"

/* Refractory period: after a kept event, a pixel's events are dropped until
 * period_us has passed (t - t_last_kept < period_us → drop), whatever the
 * polarity. */

struct _EvsRefractoryFilter
{
  EvsFilter     parent_instance;
  EvsPixelTimes times;
  guint         period_us;
};

enum {
  PROP_0,
  PROP_PERIOD_US,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsRefractoryFilter, evs_refractory_filter, EVS_TYPE_FILTER)

/* @masked: only the events with keep[i] set count and are recorded (refine);
 * one copy of the loop, specialised for process and refine by inlining */
static inline __attribute__ ((always_inline)) void
refractory_run (EvsRefractoryFilter *self,
                const EvsEventChunk *chunk,
                guint8              *keep,
                gboolean             masked)
{
  EvsFilter *filter = (EvsFilter *) self;
  const gint64 *restrict t = chunk->t;
  const guint16 *restrict x = chunk->x;
  const guint16 *restrict y = chunk->y;
  gsize n = chunk->n_events;
  guint32 *restrict ts;
  gsize row;
  gint64 base;
  guint32 period = self->period_us;

  /* one segment, or more after a gap of over 35 minutes */
  for (gsize start = 0, end; start < n; start = end)
    {
      end = _evs_pixel_times_prepare (&self->times, filter, chunk, start);
      ts = self->times.ts;
      row = self->times.row;
      base = self->times.base;

      for (gsize i = start; i < end; i++)
        {
          guint32 rt;
          gsize idx;
          guint32 last;
          guint32 k;

          rt = (guint32) (t[i] - base);
          idx = (gsize) (y[i] + 1) * row + x[i] + 1;
          last = ts[idx];
          k = (guint32) (rt - last) >= period;
          if (masked)
            k &= keep[i];

          /* branchless: about half the events are dropped, unpredictably */
          keep[i] = k;
          ts[idx] = last ^ ((last ^ rt) & (0u - k));
        }
    }
}

static void
evs_refractory_filter_process (EvsFilter           *filter,
                               const EvsEventChunk *chunk,
                               guint8              *keep)
{
  refractory_run ((EvsRefractoryFilter *) filter, chunk, keep, FALSE);
}

static gboolean
evs_refractory_filter_refine (EvsFilter           *filter,
                              const EvsEventChunk *chunk,
                              guint8              *keep)
{
  refractory_run ((EvsRefractoryFilter *) filter, chunk, keep, TRUE);
  return TRUE;
}

static void
evs_refractory_filter_reset (EvsFilter *filter)
{
  EvsRefractoryFilter *self = (EvsRefractoryFilter *) filter;

  _evs_pixel_times_reset (&self->times);
}

static void
evs_refractory_filter_finalize (GObject *object)
{
  EvsRefractoryFilter *self = (EvsRefractoryFilter *) object;

  _evs_pixel_times_clear (&self->times);

  G_OBJECT_CLASS (evs_refractory_filter_parent_class)->finalize (object);
}

static void
evs_refractory_filter_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EvsRefractoryFilter *self = EVS_REFRACTORY_FILTER (object);

  switch (prop_id)
    {
    case PROP_PERIOD_US:
      g_value_set_uint (value, self->period_us);
      break;


    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_refractory_filter_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EvsRefractoryFilter *self = EVS_REFRACTORY_FILTER (object);

  switch (prop_id)
    {
    case PROP_PERIOD_US:
      if (self->period_us != g_value_get_uint (value))
        {
          self->period_us = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;


    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_refractory_filter_class_init (EvsRefractoryFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->finalize = evs_refractory_filter_finalize;
  object_class->get_property = evs_refractory_filter_get_property;
  object_class->set_property = evs_refractory_filter_set_property;

  filter_class->type_name = "refractory";
  filter_class->process = evs_refractory_filter_process;
  filter_class->refine = evs_refractory_filter_refine;
  filter_class->reset = evs_refractory_filter_reset;

  properties[PROP_PERIOD_US] =
    g_param_spec_uint ("period-us", NULL, NULL, 1, EVS_FILTER_MAX_WINDOW_US, 1000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_refractory_filter_init (EvsRefractoryFilter *self)
{
  _evs_pixel_times_init (&self->times, 1);
  self->period_us = 1000;
}

EvsFilter *
evs_refractory_filter_new (void)
{
  return g_object_new (EVS_TYPE_REFRACTORY_FILTER, NULL);
}
