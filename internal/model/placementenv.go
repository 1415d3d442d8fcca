package model

// The environment variables whose values place a container in the
// cluster (DESIGN.md: the task id, first hit wins; the framework and the
// Marathon app when Mesos does not know the task). They are the only
// values of ContainerSample.Env anything reads: the collector keeps these
// and only the names of the rest (the details view and recordings show
// names, never values).
const (
	EnvMesosTaskID     = "MESOS_TASK_ID"
	EnvChronosTaskID   = "mesos_task_id"
	EnvMesosExecutorID = "MESOS_EXECUTOR_ID"
	EnvMesosFramework  = "MESOS_FRAMEWORK_ID"
	EnvMarathonApp     = "MARATHON_APP_ID"
)

// PlacementEnv reports whether the value of the variable name is read.
func PlacementEnv(name string) bool {
	switch name {
	case EnvMesosTaskID, EnvChronosTaskID, EnvMesosExecutorID, EnvMesosFramework, EnvMarathonApp:
		return true
	}
	return false
}
