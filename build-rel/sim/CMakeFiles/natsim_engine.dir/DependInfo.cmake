
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/sim/addr.c" "sim/CMakeFiles/natsim_engine.dir/addr.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/addr.c.o.d"
  "/work/main/sim/cursor.c" "sim/CMakeFiles/natsim_engine.dir/cursor.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/cursor.c.o.d"
  "/work/main/sim/event.c" "sim/CMakeFiles/natsim_engine.dir/event.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/event.c.o.d"
  "/work/main/sim/iface_config.c" "sim/CMakeFiles/natsim_engine.dir/iface_config.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/iface_config.c.o.d"
  "/work/main/sim/link.c" "sim/CMakeFiles/natsim_engine.dir/link.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/link.c.o.d"
  "/work/main/sim/nat_config.c" "sim/CMakeFiles/natsim_engine.dir/nat_config.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/nat_config.c.o.d"
  "/work/main/sim/nat_gw.c" "sim/CMakeFiles/natsim_engine.dir/nat_gw.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/nat_gw.c.o.d"
  "/work/main/sim/nat_table.c" "sim/CMakeFiles/natsim_engine.dir/nat_table.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/nat_table.c.o.d"
  "/work/main/sim/nat_tcp.c" "sim/CMakeFiles/natsim_engine.dir/nat_tcp.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/nat_tcp.c.o.d"
  "/work/main/sim/node.c" "sim/CMakeFiles/natsim_engine.dir/node.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/node.c.o.d"
  "/work/main/sim/pkt.c" "sim/CMakeFiles/natsim_engine.dir/pkt.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/pkt.c.o.d"
  "/work/main/sim/rng.c" "sim/CMakeFiles/natsim_engine.dir/rng.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/rng.c.o.d"
  "/work/main/sim/socket.c" "sim/CMakeFiles/natsim_engine.dir/socket.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/socket.c.o.d"
  "/work/main/sim/socket_tcp.c" "sim/CMakeFiles/natsim_engine.dir/socket_tcp.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/socket_tcp.c.o.d"
  "/work/main/sim/stack/addr_watch.c" "sim/CMakeFiles/natsim_engine.dir/stack/addr_watch.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/addr_watch.c.o.d"
  "/work/main/sim/stack/arp.c" "sim/CMakeFiles/natsim_engine.dir/stack/arp.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/arp.c.o.d"
  "/work/main/sim/stack/arp_watch.c" "sim/CMakeFiles/natsim_engine.dir/stack/arp_watch.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/arp_watch.c.o.d"
  "/work/main/sim/stack/csum.c" "sim/CMakeFiles/natsim_engine.dir/stack/csum.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/csum.c.o.d"
  "/work/main/sim/stack/eth.c" "sim/CMakeFiles/natsim_engine.dir/stack/eth.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/eth.c.o.d"
  "/work/main/sim/stack/icmp.c" "sim/CMakeFiles/natsim_engine.dir/stack/icmp.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/icmp.c.o.d"
  "/work/main/sim/stack/icmp6.c" "sim/CMakeFiles/natsim_engine.dir/stack/icmp6.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/icmp6.c.o.d"
  "/work/main/sim/stack/ipv4.c" "sim/CMakeFiles/natsim_engine.dir/stack/ipv4.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/ipv4.c.o.d"
  "/work/main/sim/stack/ipv6.c" "sim/CMakeFiles/natsim_engine.dir/stack/ipv6.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/ipv6.c.o.d"
  "/work/main/sim/stack/ndp.c" "sim/CMakeFiles/natsim_engine.dir/stack/ndp.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/ndp.c.o.d"
  "/work/main/sim/stack/ndp_router.c" "sim/CMakeFiles/natsim_engine.dir/stack/ndp_router.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/ndp_router.c.o.d"
  "/work/main/sim/stack/slaac.c" "sim/CMakeFiles/natsim_engine.dir/stack/slaac.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/slaac.c.o.d"
  "/work/main/sim/stack/slaac_ra.c" "sim/CMakeFiles/natsim_engine.dir/stack/slaac_ra.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/slaac_ra.c.o.d"
  "/work/main/sim/stack/stack.c" "sim/CMakeFiles/natsim_engine.dir/stack/stack.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/stack.c.o.d"
  "/work/main/sim/stack/tcp_buf.c" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_buf.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_buf.c.o.d"
  "/work/main/sim/stack/tcp_conn.c" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_conn.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_conn.c.o.d"
  "/work/main/sim/stack/tcp_demux.c" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_demux.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_demux.c.o.d"
  "/work/main/sim/stack/tcp_out.c" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_out.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_out.c.o.d"
  "/work/main/sim/stack/tcp_seg.c" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_seg.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_seg.c.o.d"
  "/work/main/sim/stack/tcp_tcb.c" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_tcb.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/tcp_tcb.c.o.d"
  "/work/main/sim/stack/udp.c" "sim/CMakeFiles/natsim_engine.dir/stack/udp.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/stack/udp.c.o.d"
  "/work/main/sim/timer.c" "sim/CMakeFiles/natsim_engine.dir/timer.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/timer.c.o.d"
  "/work/main/sim/trace_log.c" "sim/CMakeFiles/natsim_engine.dir/trace_log.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/trace_log.c.o.d"
  "/work/main/sim/trace_pcap.c" "sim/CMakeFiles/natsim_engine.dir/trace_pcap.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/trace_pcap.c.o.d"
  "/work/main/sim/world.c" "sim/CMakeFiles/natsim_engine.dir/world.c.o" "gcc" "sim/CMakeFiles/natsim_engine.dir/world.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
