/* evs-monotonic-filter.c
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

#define G_LOG_DOMAIN "evs-monotonic-filter"

#include "config.h"

#include "evs-monotonic-filter.h"

/* Guards against time going backwards: an event whose time is smaller than
 * the largest time seen before it is counted and, with action "drop",
 * dropped (the largest time then only advances with kept events). */

struct _EvsMonotonicFilter
{
  EvsFilter          parent_instance;
  EvsMonotonicAction action;
  gint64             max_t;
  guint64            n_backwards;
};

enum {
  PROP_0,
  PROP_ACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsMonotonicFilter, evs_monotonic_filter, EVS_TYPE_FILTER)

GType
evs_monotonic_action_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { EVS_MONOTONIC_ACTION_DROP, "EVS_MONOTONIC_ACTION_DROP", "drop" },
        { EVS_MONOTONIC_ACTION_REPORT, "EVS_MONOTONIC_ACTION_REPORT", "report" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static ("EvsMonotonicAction", values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

static void
evs_monotonic_filter_process (EvsFilter           *filter,
                              const EvsEventChunk *chunk,
                              guint8              *keep)
{
  EvsMonotonicFilter *self = (EvsMonotonicFilter *) filter;
  const gint64 *t = chunk->t;
  gsize n = chunk->n_events;
  gint64 max_t = self->max_t;
  guint64 back = 0;

  if (self->action == EVS_MONOTONIC_ACTION_DROP)
    {
      for (gsize i = 0; i < n; i++)
        {
          guint8 k = t[i] >= max_t;

          keep[i] = k;
          back += !k;
          max_t = k ? t[i] : max_t;
        }
    }
  else
    {
      for (gsize i = 0; i < n; i++)
        {
          keep[i] = 1;
          back += t[i] < max_t;
          max_t = MAX (max_t, t[i]);
        }
    }

  self->max_t = max_t;
  self->n_backwards += back;
}

static void
evs_monotonic_filter_reset (EvsFilter *filter)
{
  EvsMonotonicFilter *self = (EvsMonotonicFilter *) filter;

  self->max_t = G_MININT64;
  self->n_backwards = 0;
}

/**
 * evs_monotonic_filter_get_n_backwards:
 *
 * Returns: how many events went back in time since the last reset
 */
guint64
evs_monotonic_filter_get_n_backwards (EvsMonotonicFilter *self)
{
  g_return_val_if_fail (EVS_IS_MONOTONIC_FILTER (self), 0);

  return self->n_backwards;
}

static void
evs_monotonic_filter_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EvsMonotonicFilter *self = EVS_MONOTONIC_FILTER (object);

  switch (prop_id)
    {
    case PROP_ACTION:
      g_value_set_enum (value, self->action);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_monotonic_filter_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  EvsMonotonicFilter *self = EVS_MONOTONIC_FILTER (object);

  switch (prop_id)
    {
    case PROP_ACTION:
      if ((int) self->action != g_value_get_enum (value))
        {
          self->action = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_monotonic_filter_class_init (EvsMonotonicFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->get_property = evs_monotonic_filter_get_property;
  object_class->set_property = evs_monotonic_filter_set_property;

  filter_class->type_name = "monotonic";
  filter_class->process = evs_monotonic_filter_process;
  filter_class->reset = evs_monotonic_filter_reset;

  properties[PROP_ACTION] =
    g_param_spec_enum ("action", NULL, NULL, EVS_TYPE_MONOTONIC_ACTION,
                       EVS_MONOTONIC_ACTION_DROP,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_monotonic_filter_init (EvsMonotonicFilter *self)
{
  self->action = EVS_MONOTONIC_ACTION_DROP;
  self->max_t = G_MININT64;
}

EvsFilter *
evs_monotonic_filter_new (void)
{
  return g_object_new (EVS_TYPE_MONOTONIC_FILTER, NULL);
}
