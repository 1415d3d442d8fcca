#!/bin/busybox sh
# /init of the test's initramfs: boots a cgroup v2 node, makes cgroups the
# way each container runtime makes them on v2, puts processes in them, runs
# ctop-like once and prints its JSON and the kernel's own counters on the
# serial console for cgroupv2_test.go to compare. Every line the test reads
# starts with "@@" so that stray console text cannot pass for data.
/bin/busybox mkdir -p /proc /sys /dev /tmp /usr/bin /sbin
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs -o size=128m tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup || { echo "@@ERROR mount cgroup2 failed"; poweroff -f; }
hostname cgroupv2-vm
echo "@@UPTIME init $(cut -d' ' -f1 /proc/uptime)"
C=/sys/fs/cgroup

fail() { echo "@@ERROR $*"; poweroff -f; exit 1; }

# enable DIR: DIR's children get every controller the test reads
# (hugetlb where the kernel has it).
HUGE=
grep -qw hugetlb $C/cgroup.controllers && HUGE=+hugetlb
enable() { echo "+cpu +memory +pids +io $HUGE" >"$C$1/cgroup.subtree_control" || fail "enable controllers in $1"; }
mk() { mkdir -p "$C$1" || fail "mkdir $1"; }
# shape NAME PATH: the test finds the cgroup made for NAME at PATH.
shape() { echo "@@SHAPE $1 $2"; SHAPES="$SHAPES $1:$2"; }
# sleeps PATH N: N sleeping processes in PATH.
sleeps() {
	i=0
	while [ $i -lt "$2" ]; do
		sh -c "echo \$\$ >$C$1/cgroup.procs && exec sleep 3600" &
		i=$((i + 1))
	done
}

echo "@@CONTROLLERS $(cat $C/cgroup.controllers)"
enable ""

MESOS=4f1c2a9e-7b3d-4e5f-9a8b-0c1d2e3f4a5b
DOCKER=1111111111111111111111111111111111111111111111111111111111111111
PODMAN=2222222222222222222222222222222222222222222222222222222222222222
CONTAINERD=3333333333333333333333333333333333333333333333333333333333333333
CONTAINERD_K8S=4444444444444444444444444444444444444444444444444444444444444444
CRIO=5555555555555555555555555555555555555555555555555555555555555555
POD_BE=9c0d6f2e_1a2b_4c3d_8e9f_0a1b2c3d4e5f
POD_BU=7d8e9fa0_b1c2_4d3e_9f80_a1b2c3d4e5f6

# Mesos containerizer: /mesos/<container uuid>, half a core, 96 MiB.
mk /mesos; enable /mesos
mk /mesos/$MESOS
echo "50000 100000" >$C/mesos/$MESOS/cpu.max || fail "cpu.max"
echo 100663296 >$C/mesos/$MESOS/memory.max || fail "memory.max"
shape mesos /mesos/$MESOS
# The loop runs in a shell exec'd after the move, so that its memory is
# charged to the cgroup.
sh -c "echo \$\$ >$C/mesos/$MESOS/cgroup.procs && exec sh -c 'while :; do :; done'" &
# Two 2 MiB huge pages charged to it (fallocate on a hugetlbfs charges the
# caller's hugetlb cgroup), where the kernel has hugetlb.
if [ -n "$HUGE" ] && echo 4 >/proc/sys/vm/nr_hugepages && mkdir -p /huge && mount -t hugetlbfs -o pagesize=2M none /huge; then
	sh -c "echo \$\$ >$C/mesos/$MESOS/cgroup.procs && fallocate -l 4194304 /huge/mesos" || fail "fallocate hugetlbfs"
	echo "@@HUGE 4194304"
fi

# Docker (systemd driver): system.slice/docker-<id>.scope, 64 MiB, and a
# process that writes 24 MiB into a tmpfs (charged to the writer's cgroup).
mk /system.slice; enable /system.slice
mk /system.slice/docker-$DOCKER.scope
echo 67108864 >$C/system.slice/docker-$DOCKER.scope/memory.max || fail "memory.max"
shape docker /system.slice/docker-$DOCKER.scope
mkdir -p /tmp/docker
sh -c "echo \$\$ >$C/system.slice/docker-$DOCKER.scope/cgroup.procs && dd if=/dev/zero of=/tmp/docker/fill bs=1048576 count=24 2>/dev/null" || fail "fill tmpfs"
sleeps /system.slice/docker-$DOCKER.scope 1

# A systemd service: not a container, listed as raw with -a.
mk /system.slice/ctop-test.service
shape raw /system.slice/ctop-test.service
sleeps /system.slice/ctop-test.service 2

# containerd without Kubernetes (systemd driver, as ctr/nerdctl name it).
mk /system.slice/cri-containerd-$CONTAINERD.scope
shape containerd /system.slice/cri-containerd-$CONTAINERD.scope
sleeps /system.slice/cri-containerd-$CONTAINERD.scope 3

# Podman (systemd driver): machine.slice/libpod-<id>.scope.
mk /machine.slice; enable /machine.slice
mk /machine.slice/libpod-$PODMAN.scope
shape podman /machine.slice/libpod-$PODMAN.scope
sleeps /machine.slice/libpod-$PODMAN.scope 2
# Frozen as `:pause` freezes a cgroup (cgroup.freeze): its row says paused.
sleep 0.2
echo 1 >$C/machine.slice/libpod-$PODMAN.scope/cgroup.freeze || fail "cgroup.freeze"

# Kubernetes (kubelet's systemd driver): a besteffort pod on containerd and
# a burstable pod on CRI-O.
mk /kubepods.slice; enable /kubepods.slice
mk /kubepods.slice/kubepods-besteffort.slice; enable /kubepods.slice/kubepods-besteffort.slice
mk /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$POD_BE.slice
enable /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$POD_BE.slice
P=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$POD_BE.slice/cri-containerd-$CONTAINERD_K8S.scope
mk $P
shape containerd-k8s $P
sleeps $P 1
mk /kubepods.slice/kubepods-burstable.slice; enable /kubepods.slice/kubepods-burstable.slice
mk /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$POD_BU.slice
enable /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$POD_BU.slice
P=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$POD_BU.slice/crio-$CRIO.scope
mk $P
echo 33554432 >$C$P/memory.max || fail "memory.max"
shape cri-o $P
sleeps $P 2

# A slice that enables no controller for its children: its service has
# only the core files (cgroup.*, cpu.stat), no memory.* or pids.*.
mk /bare.slice
mk /bare.slice/bare.service
shape bare /bare.slice/bare.service
sleeps /bare.slice/bare.service 2

# counters WHEN: the kernel's own figures for every shape.
counters() {
	up=$(cut -d' ' -f1 /proc/uptime)
	for s in $SHAPES; do
		name=${s%%:*}
		dir=$C${s#*:}
		line="@@KERNEL $1 $name uptime=$up"
		line="$line $(awk '{printf "%s=%s ", $1, $2}' $dir/cpu.stat)"
		for f in memory.current memory.max pids.current; do
			if [ -e $dir/$f ]; then line="$line $f=$(cat $dir/$f)"; else line="$line $f=absent"; fi
		done
		if [ -e $dir/memory.stat ]; then
			line="$line $(awk '$1=="inactive_file"||$1=="shmem"||$1=="anon"||$1=="pgmajfault"{printf "memory.stat.%s=%s ", $1, $2}' $dir/memory.stat)"
		fi
		for f in memory.swap.current hugetlb.2MB.current; do
			if [ -e $dir/$f ]; then line="$line $f=$(cat $dir/$f)"; else line="$line $f=absent"; fi
		done
		if [ -e $dir/memory.events ]; then line="$line memory.events.max=$(awk '$1=="max"{print $2}' $dir/memory.events)"; else line="$line memory.events.max=absent"; fi
		for f in cpu memory io; do
			if [ -e $dir/$f.pressure ]; then
				line="$line $(awk -v f=$f '{split($2, a, "="); printf "%s.pressure.%s=%s ", f, $1, a[2]}' $dir/$f.pressure)"
			else
				line="$line $f.pressure=absent"
			fi
		done
		line="$line procs=$(wc -l <$dir/cgroup.procs)"
		echo "$line"
	done
}

sleep 1 # let every process reach its cgroup
counters before
echo "@@UPTIME ctop-like $(cut -d' ' -f1 /proc/uptime)"
/ctop-like -a -o json -n 2 -d 1000 -v containers >/tmp/ctop-like.out 2>/tmp/ctop-like.err
rc=$?
echo "@@UPTIME ctop-like-done $(cut -d' ' -f1 /proc/uptime)"
counters after
sed 's/^/@@JSON /' /tmp/ctop-like.out
sed 's/^/@@STDERR /' /tmp/ctop-like.err
echo "@@EXIT $rc"
echo "@@DONE"
poweroff -f
