/* evs-time-filter.c
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

#define G_LOG_DOMAIN "evs-time-filter"

#include "config.h"

#include "evs-time-filter.h"
#include "evs-error.h"

/* Keeps the events with start_us ≤ t < end_us. */

struct _EvsTimeFilter
{
  EvsFilter parent_instance;
  gint64    start_us;
  gint64    end_us;
};

enum {
  PROP_0,
  PROP_START_US,
  PROP_END_US,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsTimeFilter, evs_time_filter, EVS_TYPE_FILTER)

static void
evs_time_filter_process (EvsFilter           *filter,
                         const EvsEventChunk *chunk,
                         guint8              *keep)
{
  EvsTimeFilter *self = (EvsTimeFilter *) filter;
  const gint64 *t = chunk->t;
  const gint64 start = self->start_us, end = self->end_us;
  gsize n = chunk->n_events;

  for (gsize i = 0; i < n; i++)
    keep[i] = (t[i] >= start) & (t[i] < end);
}

static gboolean
evs_time_filter_refine (EvsFilter           *filter,
                        const EvsEventChunk *chunk,
                        guint8              *keep)
{
  EvsTimeFilter *self = (EvsTimeFilter *) filter;
  const gint64 *t = chunk->t;
  const gint64 start = self->start_us, end = self->end_us;
  gsize n = chunk->n_events;

  for (gsize i = 0; i < n; i++)
    keep[i] &= (t[i] >= start) & (t[i] < end);
  return TRUE;
}

static gboolean
evs_time_filter_check (EvsFilter  *filter,
                       GError    **error)
{
  EvsTimeFilter *self = (EvsTimeFilter *) filter;

  if (self->end_us < self->start_us)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "key “end_us”: %" G_GINT64_FORMAT " is before start_us %" G_GINT64_FORMAT,
                   self->end_us, self->start_us);
      return FALSE;
    }
  return TRUE;
}

static void
evs_time_filter_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EvsTimeFilter *self = EVS_TIME_FILTER (object);

  switch (prop_id)
    {
    case PROP_START_US:
      g_value_set_int64 (value, self->start_us);
      break;

    case PROP_END_US:
      g_value_set_int64 (value, self->end_us);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_time_filter_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  EvsTimeFilter *self = EVS_TIME_FILTER (object);
  gint64 v;

  switch (prop_id)
    {
    case PROP_START_US:
      v = g_value_get_int64 (value);
      if (v != self->start_us)
        {
          self->start_us = v;
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_END_US:
      v = g_value_get_int64 (value);
      if (v != self->end_us)
        {
          self->end_us = v;
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_time_filter_class_init (EvsTimeFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->get_property = evs_time_filter_get_property;
  object_class->set_property = evs_time_filter_set_property;

  filter_class->type_name = "time";
  filter_class->process = evs_time_filter_process;
  filter_class->refine = evs_time_filter_refine;
  filter_class->check = evs_time_filter_check;

  properties[PROP_START_US] =
    g_param_spec_int64 ("start-us", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_END_US] =
    g_param_spec_int64 ("end-us", NULL, NULL, G_MININT64, G_MAXINT64, G_MAXINT64,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_time_filter_init (EvsTimeFilter *self)
{
  self->start_us = 0;
  self->end_us = G_MAXINT64;
}

EvsFilter *
evs_time_filter_new (void)
{
  return g_object_new (EVS_TYPE_TIME_FILTER, NULL);
}
