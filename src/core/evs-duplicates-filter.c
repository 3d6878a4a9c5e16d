/* evs-duplicates-filter.c
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

#define G_LOG_DOMAIN "evs-duplicates-filter"

#include "config.h"

#include "evs-duplicates-filter.h"
#include "evs-filter-private.h"

/* Drops exact repeats: an event whose (t, x, y, p) equals an earlier one.
 * Each pixel keeps the time of its last event of each polarity; an event
 * with the same time and polarity is a duplicate (for time-sorted streams
 * this finds every repeat, whatever lies between them). */

struct _EvsDuplicatesFilter
{
  EvsFilter     parent_instance;
  EvsPixelTimes times;
};

G_DEFINE_FINAL_TYPE (EvsDuplicatesFilter, evs_duplicates_filter, EVS_TYPE_FILTER)

static void
evs_duplicates_filter_process (EvsFilter           *filter,
                               const EvsEventChunk *chunk,
                               guint8              *keep)
{
  EvsDuplicatesFilter *self = (EvsDuplicatesFilter *) filter;
  const gint64 *restrict t = chunk->t;
  const guint16 *restrict x = chunk->x;
  const guint16 *restrict y = chunk->y;
  const guint8 *restrict p = chunk->p;
  gsize n = chunk->n_events;
  guint32 *restrict ts;
  gsize row;
  gint64 base;

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
          guint32 *c;

          rt = (guint32) (t[i] - base);
          c = ts + ((gsize) (y[i] + 1) * (row / 2) + x[i] + 1) * 2 + (p[i] & 1);

          keep[i] = *c != rt;
          *c = rt;
        }
    }
}

static void
evs_duplicates_filter_reset (EvsFilter *filter)
{
  EvsDuplicatesFilter *self = (EvsDuplicatesFilter *) filter;

  _evs_pixel_times_reset (&self->times);
}

static void
evs_duplicates_filter_finalize (GObject *object)
{
  EvsDuplicatesFilter *self = (EvsDuplicatesFilter *) object;

  _evs_pixel_times_clear (&self->times);

  G_OBJECT_CLASS (evs_duplicates_filter_parent_class)->finalize (object);
}

static void
evs_duplicates_filter_class_init (EvsDuplicatesFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->finalize = evs_duplicates_filter_finalize;

  filter_class->type_name = "duplicates";
  filter_class->process = evs_duplicates_filter_process;
  filter_class->reset = evs_duplicates_filter_reset;
}

static void
evs_duplicates_filter_init (EvsDuplicatesFilter *self)
{
  _evs_pixel_times_init (&self->times, 2);
}

EvsFilter *
evs_duplicates_filter_new (void)
{
  return g_object_new (EVS_TYPE_DUPLICATES_FILTER, NULL);
}
