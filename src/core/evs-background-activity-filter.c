/* evs-background-activity-filter.c
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

#define G_LOG_DOMAIN "evs-background-activity-filter"

#include "config.h"

#include "evs-background-activity-filter.h"
#include "evs-filter-private.h"

#if defined (__SSE2__)
#include <emmintrin.h>
#endif

/* Delbruck's background-activity filter: an event is kept when at least one
 * of its 8 neighbours (the pixel itself excluded) had an event, of any
 * polarity, kept or not, less than window_us before it
 * (0 ≤ t - t_neighbour < window_us).  Every event updates its pixel. */

struct _EvsBackgroundActivityFilter
{
  EvsFilter     parent_instance;
  EvsPixelTimes times;
  guint         window_us;
};

enum {
  PROP_0,
  PROP_WINDOW_US,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsBackgroundActivityFilter, evs_background_activity_filter, EVS_TYPE_FILTER)

/* @masked: only the events with keep[i] set count and are recorded (refine);
 * one copy of the loop, specialised for process and refine by inlining */
static inline __attribute__ ((always_inline)) void
background_activity_run (EvsBackgroundActivityFilter *self,
                         const EvsEventChunk         *chunk,
                         guint8                      *keep,
                         gboolean                     masked)
{
  EvsFilter *filter = (EvsFilter *) self;
  const gint64 *restrict t = chunk->t;
  const guint16 *restrict x = chunk->x;
  const guint16 *restrict y = chunk->y;
  gsize n = chunk->n_events;
  guint32 *restrict ts;
  gsize row;
  gint64 base;
  guint32 w = self->window_us;

  /* one segment, or more after a gap of over 35 minutes */
  for (gsize start = 0, end; start < n; start = end)
    {
      end = _evs_pixel_times_prepare (&self->times, filter, chunk, start);
      ts = self->times.ts;
      row = self->times.row;
      base = self->times.base;

#if defined (__SSE2__)
      {
        /* unsigned age < w as a signed compare of biased values */
        const __m128i bias = _mm_set1_epi32 ((int) 0x80000000u);
        const __m128i vw = _mm_set1_epi32 ((int) (w ^ 0x80000000u));
        const __m128i no_self = _mm_setr_epi32 (-1, 0, -1, 0);
        const __m128i three = _mm_setr_epi32 (-1, -1, -1, 0);

        for (gsize i = start; i < end; i++)
          {
            guint32 rt = (guint32) (t[i] - base);
            guint32 *c = ts + (gsize) (y[i] + 1) * row + x[i] + 1;
            __m128i vrt = _mm_set1_epi32 ((int) rt);
            __m128i va = _mm_loadu_si128 ((const __m128i *) (gpointer) (c - row - 1));
            __m128i vc = _mm_loadu_si128 ((const __m128i *) (gpointer) (c - 1));
            __m128i vb = _mm_loadu_si128 ((const __m128i *) (gpointer) (c + row - 1));
            __m128i ra = _mm_cmplt_epi32 (_mm_xor_si128 (_mm_sub_epi32 (vrt, va), bias), vw);
            __m128i rc = _mm_cmplt_epi32 (_mm_xor_si128 (_mm_sub_epi32 (vrt, vc), bias), vw);
            __m128i rb = _mm_cmplt_epi32 (_mm_xor_si128 (_mm_sub_epi32 (vrt, vb), bias), vw);
            __m128i any = _mm_or_si128 (_mm_and_si128 (_mm_or_si128 (ra, rb), three),
                                        _mm_and_si128 (rc, no_self));

            if (masked)
              {
                guint8 in = keep[i];

                keep[i] = in & (_mm_movemask_epi8 (any) != 0);
                c[0] = in ? rt : c[0];
              }
            else
              {
                keep[i] = _mm_movemask_epi8 (any) != 0;
                c[0] = rt;
              }
          }
      }
#else
      for (gsize i = start; i < end; i++)
        {
          guint32 rt;
          guint32 *c;
          const guint32 *a;
          const guint32 *b;
          guint8 any, in;

          rt = (guint32) (t[i] - base);
          c = ts + (gsize) (y[i] + 1) * row + x[i] + 1;
          a = c - row;
          b = c + row;

          /* Ages wrap to huge values for "never" and for times in the future;
           * OR of comparisons keeps the loop free of branches. */
          any = ((guint32) (rt - a[-1]) < w) | ((guint32) (rt - a[0]) < w)
                | ((guint32) (rt - a[1]) < w) | ((guint32) (rt - c[-1]) < w)
                | ((guint32) (rt - c[1]) < w) | ((guint32) (rt - b[-1]) < w)
                | ((guint32) (rt - b[0]) < w) | ((guint32) (rt - b[1]) < w);
          in = masked ? keep[i] : 1;

          keep[i] = in & any;
          c[0] = in ? rt : c[0];
        }
#endif
    }
}

static void
evs_background_activity_filter_process (EvsFilter           *filter,
                                        const EvsEventChunk *chunk,
                                        guint8              *keep)
{
  background_activity_run ((EvsBackgroundActivityFilter *) filter, chunk, keep, FALSE);
}

static gboolean
evs_background_activity_filter_refine (EvsFilter           *filter,
                                       const EvsEventChunk *chunk,
                                       guint8              *keep)
{
  background_activity_run ((EvsBackgroundActivityFilter *) filter, chunk, keep, TRUE);
  return TRUE;
}

static void
evs_background_activity_filter_reset (EvsFilter *filter)
{
  EvsBackgroundActivityFilter *self = (EvsBackgroundActivityFilter *) filter;

  _evs_pixel_times_reset (&self->times);
}

static void
evs_background_activity_filter_finalize (GObject *object)
{
  EvsBackgroundActivityFilter *self = (EvsBackgroundActivityFilter *) object;

  _evs_pixel_times_clear (&self->times);

  G_OBJECT_CLASS (evs_background_activity_filter_parent_class)->finalize (object);
}

static void
evs_background_activity_filter_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EvsBackgroundActivityFilter *self = EVS_BACKGROUND_ACTIVITY_FILTER (object);

  switch (prop_id)
    {
    case PROP_WINDOW_US:
      g_value_set_uint (value, self->window_us);
      break;


    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_background_activity_filter_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EvsBackgroundActivityFilter *self = EVS_BACKGROUND_ACTIVITY_FILTER (object);

  switch (prop_id)
    {
    case PROP_WINDOW_US:
      if (self->window_us != g_value_get_uint (value))
        {
          self->window_us = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;


    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_background_activity_filter_class_init (EvsBackgroundActivityFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->finalize = evs_background_activity_filter_finalize;
  object_class->get_property = evs_background_activity_filter_get_property;
  object_class->set_property = evs_background_activity_filter_set_property;

  filter_class->type_name = "background_activity";
  filter_class->process = evs_background_activity_filter_process;
  filter_class->refine = evs_background_activity_filter_refine;
  filter_class->reset = evs_background_activity_filter_reset;

  properties[PROP_WINDOW_US] =
    g_param_spec_uint ("window-us", NULL, NULL, 1, EVS_FILTER_MAX_WINDOW_US, 2000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_background_activity_filter_init (EvsBackgroundActivityFilter *self)
{
  _evs_pixel_times_init (&self->times, 1);
  self->window_us = 2000;
}

EvsFilter *
evs_background_activity_filter_new (void)
{
  return g_object_new (EVS_TYPE_BACKGROUND_ACTIVITY_FILTER, NULL);
}
