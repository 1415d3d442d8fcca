package recording

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// fakeNode makes the samples of a busy node: containers with 64-hex ids,
// labels and env, processes with real-looking command lines, and counters
// that move as a real node's do (every container uses some CPU, a minority
// of processes run in any one interval).
type fakeNode struct {
	rnd     *rand.Rand
	t       time.Time
	prev    *model.Sample
	cur     *model.Sample
	cluster *model.Cluster
}

var commands = []string{
	"java -Xms512m -Xmx2g -XX:+UseG1GC -Dconfig.file=/etc/app/application.conf -Dlogback.configurationFile=/etc/app/logback.xml -jar /opt/app/shop-api-1.42.0.jar --server.port=8080",
	"/usr/bin/python3 /usr/local/bin/gunicorn app.wsgi:application --workers 4 --bind 0.0.0.0:8000 --timeout 60 --access-logfile -",
	"nginx: worker process",
	"nginx: master process nginx -g daemon off;",
	"/usr/local/bin/node --max-old-space-size=1024 /srv/app/dist/server.js",
	"postgres: 14/main: checkpointer",
	"redis-server *:6379",
	"/bin/sh -c /docker-entrypoint.sh",
	"sleep 3600",
	"/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
	"/usr/sbin/mesos-agent --master=zk://zk1:2181,zk2:2181,zk3:2181/mesos --work_dir=/var/lib/mesos --containerizers=docker,mesos",
	"[kworker/3:1-events]",
	"/lib/systemd/systemd-journald",
	"/usr/bin/containerd-shim-runc-v2 -namespace moby -id %s -address /run/containerd/containerd.sock",
}

func hex64(r *rand.Rand) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 64)
	for i := range b {
		b[i] = digits[r.Intn(16)]
	}
	return string(b)
}

func newFakeNode(seed int64, nc, np int, withCluster bool) *fakeNode {
	r := rand.New(rand.NewSource(seed))
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.FixedZone("CET", 3600))
	s := &model.Sample{
		Time: t0, Host: "node-1",
		Machine: model.MachineInfo{Cores: 16, CPUModel: "AMD EPYC 7543 32-Core Processor", MemoryBytes: 64 << 30,
			MachineID: hex64(r)[:32], BootID: "5f0c2a1e-7d1b-4c2e-9a0b-3e4f5a6b7c8d", Kernel: "6.1.0-18-amd64", CgroupVersion: 2, ClockTicks: 100},
		CPUTotal: model.CPUTimes{Name: "cpu", User: 1e5, System: 3e4, Idle: 9e5, IOWait: 1e3},
		Memory:   model.Memory{Total: 64 << 30, Available: 40 << 30, Used: 24 << 30, Free: 10 << 30, Cached: 20 << 30},
		Load:     [3]float64{3.12, 2.98, 2.5},
		UptimeS:  864000,
	}
	for i := 0; i < 16; i++ {
		s.CPUs = append(s.CPUs, model.CPUTimes{Name: fmt.Sprintf("cpu%d", i), User: 6e3, System: 2e3, Idle: 5e4})
	}
	for _, d := range []string{"nvme0n1", "nvme1n1", "sda", "sdb"} {
		s.Disks = append(s.Disks, model.DiskCounters{Name: d, Reads: 1e6, Writes: 2e6, ReadBytes: 5e10, WriteBytes: 8e10, IOTimeMs: 1e7})
	}
	for _, n := range []string{"lo", "eth0", "eth1", "docker0", "veth1a2b3c", "bond0"} {
		s.Nets = append(s.Nets, model.NetCounters{Name: n, RxBytes: 1e12, TxBytes: 8e11, RxPackets: 1e9, TxPackets: 9e8, SpeedMbps: 10000, OperState: "up"})
	}
	for _, m := range []string{"/", "/var/lib/docker", "/var/lib/mesos", "/boot", "/data"} {
		s.Filesystems = append(s.Filesystems, model.Filesystem{Device: "/dev/nvme0n1p2", Mountpoint: m, Type: "ext4", Total: 1 << 40, Used: 300 << 30, Available: 700 << 30})
	}
	apps := []string{"/shop/api", "/shop/web", "/shop/db", "/search/indexer", "/search/query", "/ops/metrics"}
	var cl *model.Cluster
	if withCluster {
		cl = &model.Cluster{Time: t0, Leader: "http://user:pa55word@master:5050", Marathon: "http://user:pa55word@marathon:8080",
			AgentID: "b3a1c2d4-1111-2222-3333-444455556666-S3", HasMesos: true, HasMarathon: true,
			MarathonFrameworkID: "fw-marathon-0001",
			Frameworks: []model.Framework{{ID: "fw-marathon-0001", Name: "marathon", Active: true, TasksRunning: 340, WebUIURL: "http://user:pa55word@marathon:8080"},
				{ID: "fw-chronos-0002", Name: "chronos", Active: true, TasksRunning: 12}},
			Groups: []model.Group{{ID: "/"}, {ID: "/shop", Parent: "/"}, {ID: "/search", Parent: "/"}, {ID: "/ops", Parent: "/"}},
		}
		for _, a := range apps {
			cl.Apps = append(cl.Apps, model.App{ID: a, Group: a[:len(a)-len(a[len(a)-1:])], Instances: 10, TasksRunning: 10, TasksHealthy: 9})
		}
		for i := range cl.Apps {
			cl.Apps[i].Group = parentOf(cl.Apps[i].ID)
		}
	}
	for i := 0; i < nc; i++ {
		id := hex64(r)
		app := apps[i%len(apps)]
		c := model.ContainerSample{
			ID: id, Name: fmt.Sprintf("mesos-%s", hex64(r)[:36]), Image: "registry.example.com:5000" + app + ":1.42." + fmt.Sprint(i%7),
			Runtime: model.RuntimeDocker, State: "running", RuntimeFields: &model.RuntimeFields{Cgroup: "/system.slice/docker-" + id + ".scope", Labels: map[string]string{"com.example.team": "shop", "com.example.version": "1.42.0", "MESOS_TASK_ID": "shop_api." + hex64(r)[:36],
				"org.opencontainers.image.source": "https://git.example.com/shop/api"}, Env: model.EnvOf(map[string]string{"MESOS_TASK_ID": "shop_api." + id[:36], "MARATHON_APP_ID": app, "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "JAVA_OPTS": "-Xmx2g"}), PID: 1000 + i*10, NetworkMode: "bridge", Created: t0.Add(-time.Duration(r.Intn(1e6)) * time.Second), Ports: []string{"8080/tcp"}, Mounts: []string{"/var/lib/mesos/sandbox:/mnt/mesos/sandbox"}},

			CPU:   model.CgroupCPU{UsageNs: uint64(r.Int63n(1e15)), UserNs: uint64(r.Int63n(8e14)), SystemNs: uint64(r.Int63n(2e14)), Periods: uint64(r.Intn(1e7)), QuotaCores: 2},
			Mem:   model.CgroupMemory{Usage: uint64(r.Int63n(2 << 30)), Used: uint64(r.Int63n(1 << 30)), RSS: uint64(r.Int63n(1 << 30)), Cache: uint64(r.Int63n(1 << 30)), Limit: 4 << 30},
			Pids:  uint64(10 + r.Intn(40)),
			Blkio: model.CgroupBlkio{ReadBytes: uint64(r.Int63n(1e11)), WriteBytes: uint64(r.Int63n(1e11)), ReadOps: uint64(r.Int63n(1e7)), WriteOps: uint64(r.Int63n(1e7))},
			Net:   &model.NetCounters{Name: "eth0", RxBytes: uint64(r.Int63n(1e12)), TxBytes: uint64(r.Int63n(1e12)), RxPackets: uint64(r.Int63n(1e9)), TxPackets: uint64(r.Int63n(1e9))},
		}
		if withCluster && i%2 == 0 {
			tid := "shop_api." + id[:36]
			c.Cluster = model.ClusterFields{TaskID: tid, Task: "shop_api", FrameworkID: "fw-marathon-0001", Framework: "marathon", Group: parentOf(app), App: app}
			cl.Tasks = append(cl.Tasks, model.Task{ID: tid, Name: "shop_api", FrameworkID: "fw-marathon-0001", State: "TASK_RUNNING", AgentID: cl.AgentID, AgentHost: "node-1", ContainerIDs: []string{hex64(r)[:36]}})
		}
		s.Containers = append(s.Containers, c)
	}
	users := []string{"root", "www-data", "postgres", "app", "nobody"}
	for i := 0; i < np; i++ {
		p := model.ProcessSample{PID: 100 + i*7, PPID: 1 + i/10, User: users[i%len(users)], UID: i % 5 * 1000, State: "S", Threads: 1 + r.Intn(40),
			UserS: float64(r.Intn(1e6)) / 100, SystemS: float64(r.Intn(1e5)) / 100, StartTicks: uint64(r.Int63n(1e8)),
			RSS: uint64(r.Int63n(1<<30)) &^ 4095, VSZ: uint64(r.Int63n(8<<30)) &^ 4095, HasIO: i%3 != 0,
			ReadBytes: uint64(r.Int63n(1e10)), WriteBytes: uint64(r.Int63n(1e10))}
		p.StartTime = t0.Add(-time.Duration(p.StartTicks) * 10 * time.Millisecond)
		cmd := commands[i%len(commands)]
		if nc > 0 && i < nc*9 {
			ct := &s.Containers[i%nc]
			p.Cgroup, p.ContainerID = ct.Cgroup, ct.ID
			cmd = fmt.Sprintf(cmd, ct.ID)
		} else {
			p.Cgroup = "/system.slice/ssh.service"
			cmd = fmt.Sprintf(cmd, "host")
		}
		p.Command = cmd
		p.Name = cmd[:min(15, len(cmd))]
		s.Processes = append(s.Processes, p)
	}
	return &fakeNode{rnd: r, t: t0, cur: s, cluster: cl}
}

func parentOf(id string) string {
	for i := len(id) - 1; i > 0; i-- {
		if id[i] == '/' {
			return id[:i]
		}
	}
	return "/"
}

// next advances the node by d and returns the snapshot that the monitor
// would publish.
func (n *fakeNode) next(d time.Duration) *model.Snapshot {
	r := n.rnd
	prev := n.cur
	s := *prev
	s.Time = prev.Time.Add(d)
	dt := d.Seconds()
	s.UptimeS += dt
	s.CPUTotal.User += dt * 16 * 0.3 * 100 * r.Float64()
	s.CPUTotal.Idle += dt * 16 * 0.6 * 100
	s.CPUs = append([]model.CPUTimes(nil), prev.CPUs...)
	for i := range s.CPUs {
		s.CPUs[i].User += float64(r.Intn(int(dt * 100)))
		s.CPUs[i].System += float64(r.Intn(int(dt * 30)))
		s.CPUs[i].Idle += float64(r.Intn(int(dt * 100)))
	}
	s.Disks = append([]model.DiskCounters(nil), prev.Disks...)
	for i := range s.Disks {
		s.Disks[i].Reads += uint64(r.Intn(500))
		s.Disks[i].Writes += uint64(r.Intn(900))
		s.Disks[i].ReadBytes += uint64(r.Intn(50 << 20))
		s.Disks[i].WriteBytes += uint64(r.Intn(80 << 20))
		s.Disks[i].IOTimeMs += uint64(r.Intn(int(dt * 1000)))
	}
	s.Nets = append([]model.NetCounters(nil), prev.Nets...)
	for i := range s.Nets {
		s.Nets[i].RxBytes += uint64(r.Intn(100 << 20))
		s.Nets[i].TxBytes += uint64(r.Intn(80 << 20))
		s.Nets[i].RxPackets += uint64(r.Intn(1e5))
		s.Nets[i].TxPackets += uint64(r.Intn(1e5))
	}
	s.Memory.Available -= uint64(r.Intn(1 << 20))
	s.Load[0] = float64(r.Intn(800)) / 100
	s.Containers = append([]model.ContainerSample(nil), prev.Containers...)
	for i := range s.Containers {
		c := &s.Containers[i]
		used := uint64(r.Int63n(int64(dt * 2e9)))
		c.CPU.UsageNs += used
		c.CPU.UserNs += used * 3 / 4
		c.CPU.SystemNs += used / 4
		c.CPU.Periods += uint64(dt * 10)
		if r.Intn(10) == 0 {
			c.CPU.ThrottledPeriods += uint64(r.Intn(5))
			c.CPU.ThrottledNs += uint64(r.Intn(1e8))
		}
		if r.Intn(2) == 0 {
			c.Mem.Usage += uint64(r.Intn(1<<20)) &^ 4095
			c.Mem.Used += uint64(r.Intn(1<<20)) &^ 4095
			c.Mem.RSS += uint64(r.Intn(1<<20)) &^ 4095
		}
		if r.Intn(5) == 0 {
			c.Blkio.ReadBytes += uint64(r.Intn(1 << 20))
			c.Blkio.WriteBytes += uint64(r.Intn(4 << 20))
			c.Blkio.ReadOps += uint64(r.Intn(100))
			c.Blkio.WriteOps += uint64(r.Intn(300))
		}
		net := *c.Net
		net.RxBytes += uint64(r.Intn(1 << 20))
		net.TxBytes += uint64(r.Intn(1 << 20))
		net.RxPackets += uint64(r.Intn(1000))
		net.TxPackets += uint64(r.Intn(1000))
		c.Net = &net
	}
	s.Processes = append([]model.ProcessSample(nil), prev.Processes...)
	for i := range s.Processes {
		p := &s.Processes[i]
		if r.Intn(100) < 15 {
			p.UserS += float64(r.Intn(int(dt*100))) / 100
			p.SystemS += float64(r.Intn(int(dt*20))) / 100
			p.State = "R"
		} else {
			p.State = "S"
		}
		if r.Intn(100) == 0 { // a short-lived process ended, another took its place
			p.PID += 65536
			p.StartTicks += uint64(r.Intn(1e5))
			p.UserS, p.SystemS = 0, 0
		}
		if r.Intn(100) < 10 {
			p.RSS += uint64(r.Intn(64)) * 4096
		}
		if p.HasIO && r.Intn(100) < 5 {
			p.ReadBytes += uint64(r.Intn(1 << 20))
			p.WriteBytes += uint64(r.Intn(1 << 20))
		}
	}
	n.prev, n.cur = prev, &s
	snap := model.Rates(prev, &s)
	if n.cluster != nil {
		c := *n.cluster
		c.Time = s.Time.Truncate(10 * time.Second)
		snap.Cluster = &c
	}
	return snap
}
