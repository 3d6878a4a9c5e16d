/* evs-application.c
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

#define G_LOG_DOMAIN "evs-application"

#include "config.h"

#include "evs-application.h"
#include "evs-window.h"

#include <glib/gi18n.h>

struct _EvsApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (EvsApplication, evs_application, ADW_TYPE_APPLICATION)

static EvsWindow *
get_window (EvsApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (EVS_IS_WINDOW (window))
    return EVS_WINDOW (window);

  return evs_window_new (GTK_APPLICATION (self));
}

static void
evs_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (EVS_APPLICATION (app))));
}

static void
evs_application_open (GApplication  *app,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  EvsApplication *self = EVS_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      EvsWindow *window = get_window (self);

      /* The first file reuses an empty window; the others get their own. */
      if (evs_session_get_file (evs_window_get_session (window)) != NULL)
        window = evs_window_new (GTK_APPLICATION (self));
      evs_window_open (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (evs_window_new (GTK_APPLICATION (user_data))));
}

static void
open_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  EvsWindow *window = get_window (EVS_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open", NULL);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { "The Evscope authors", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Evscope"),
                         "application-icon", APP_ID,
                         "developer-name", "The Evscope authors",
                         "version", PACKAGE_VERSION,
                         "comments", _("View and preprocess event-camera recordings"),
                         "website", "https://github.com/evscope/evscope",
                         "issue-url", "https://github.com/evscope/evscope/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "new-window", new_window_action },
  { "open", open_action },
  { "about", about_action },
};

static void
color_scheme_cb (EvsApplication *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  adw_style_manager_set_color_scheme (manager, g_settings_get_enum (self->settings, "color-scheme"));
}

static void
evs_application_startup (GApplication *app)
{
  EvsApplication *self = EVS_APPLICATION (app);
  GtkApplication *gtk_app = GTK_APPLICATION (app);
  static const struct {
    const char *action;
    const char *accels[4];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.new-window", { "<Control>n", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.save-frame", { "<Control>s", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.undo", { "<Control>z", NULL } },
    { "win.redo", { "<Control><Shift>z", "<Control>y", NULL } },
    { "win.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
    { "win.zoom-out", { "<Control>minus", NULL } },
    { "win.zoom-fit", { "<Control>0", NULL } },
    { "win.view-mode::accumulate", { "<Control>1", NULL } },
    { "win.view-mode::time-surface", { "<Control>2", NULL } },
    { "win.show-sidebar", { "F9", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  G_APPLICATION_CLASS (evs_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (gtk_app, accels[i].action, accels[i].accels);

  /* Same schema for the stable and the development app id */
  self->settings = g_settings_new ("io.github.evscope.Evscope");
  g_signal_connect_object (self->settings, "changed::color-scheme", G_CALLBACK (color_scheme_cb),
                           self, G_CONNECT_SWAPPED);
  color_scheme_cb (self);
}

static void
evs_application_dispose (GObject *object)
{
  EvsApplication *self = EVS_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (evs_application_parent_class)->dispose (object);
}

static void
evs_application_class_init (EvsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = evs_application_dispose;
  app_class->activate = evs_application_activate;
  app_class->open = evs_application_open;
  app_class->startup = evs_application_startup;
}

static void
evs_application_init (EvsApplication *self)
{
}

EvsApplication *
evs_application_new (void)
{
  return g_object_new (EVS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}
