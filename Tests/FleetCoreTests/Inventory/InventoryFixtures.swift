/// Inventory texts used by the inventory tests, embedded so the test target needs no resources.
enum InventoryFixtures {
    /// One fleet in INI: an ungrouped bastion, a sentry range, two validators, a full node, one chain.
    static let fleetINI = """
        # the demo fleet
        bastion ansible_host=192.0.2.1

        [sentries]
        sentry-[01:03] ansible_port=2201

        [validators]
        val-1 ansible_host=10.0.0.10 moniker="Val One"
        val-2 ansible_host=10.0.0.11 ansible_port=2222

        [full]
        archive ansible_host=10.0.0.20 node_rpc=http://10.0.0.20:26657

        [osmosis:children]
        sentries
        validators
        full

        [osmosis:vars]
        daemon_name=osmosisd
        daemon_home=/home/osmo/.osmosisd

        [validators:vars]
        ansible_user=validator

        [all:vars]
        ansible_user=cosmos
        agent_path=/usr/local/bin/node-agent
        """

    /// The same fleet in YAML.
    static let fleetYAML = """
        all:
          hosts:
            bastion:
              ansible_host: 192.0.2.1
          vars:
            ansible_user: cosmos
            agent_path: /usr/local/bin/node-agent
          children:
            osmosis:
              vars:
                daemon_name: osmosisd
                daemon_home: /home/osmo/.osmosisd
              children:
                sentries:
                  hosts:
                    sentry-[01:03]:
                      ansible_port: 2201
                validators:
                  vars:
                    ansible_user: validator
                  hosts:
                    val-1:
                      ansible_host: 10.0.0.10
                      moniker: Val One
                    val-2:
                      ansible_host: 10.0.0.11
                      ansible_port: 2222
                full:
                  hosts:
                    archive:
                      ansible_host: 10.0.0.20
                      node_rpc: http://10.0.0.20:26657
        """

    /// Polkachu cosmos-validators style: one group per chain, `type` host vars, `[all:vars]` with Jinja.
    static let polkachuINI = """
        [juno]
        juno_main ansible_host=10.0.0.1 type=main
        juno_backup ansible_host=10.0.0.2 type=backup
        juno_relayer ansible_host=10.0.0.3 type=relayer prepare=false

        [osmosis]
        osmosis_main ansible_host=10.0.1.1 type=main
        osmosis_test ansible_host=10.0.1.9 type=test

        [all:vars]
        ansible_user=ubuntu
        ansible_port=22
        ansible_ssh_private_key_file="~/.ssh/id_rsa"
        var_file="vars/{{ group_names[0] }}.yml"
        user_dir="/home/{{ ansible_user }}"
        path="/home/{{ ansible_user }}/go/bin:/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin"
        node_exporter=true
        promtail=false
        node_name=polkachu
        """

    /// Hypha cosmos-ansible style: `all → vars`, `all → children → node → hosts` with rich host vars.
    static let hyphaYAML = """
        ---
        all:
          vars:
            ansible_user: root
            chain_id: theta-testnet-001
            chain_version: v7.0.0
            use_cosmovisor: true
            cosmovisor_skip_backup: yes
            chain_home: /home/gaia/.gaia
          children:
            node:
              hosts:
                sentry-01.theta.example.org:
                  fast_sync: true
                  api_enabled: true
                validator-01.theta.example.org:
                  ansible_host: 10.10.0.5
                  chain_create_validator: true
                  chain_validator_voting_power: 100
                  fleet_role: validator
                sync-01.theta.example.org:
                  statesync_enabled: true
                  chain_gas_price: 0.0025uatom
                  persistent_peers: [abc@1.2.3.4:26656, def@5.6.7.8:26656]
                  moniker:
        """

    /// Children three deep (region → zone → rack) with a variable at every level.
    static let nestedINI = """
        [rack1]
        n1
        n2 tier=host

        [rack2]
        n3

        [zone-a:children]
        rack1
        rack2

        [region:children]
        zone-a

        [region:vars]
        tier=region
        region_only=yes

        [zone-a:vars]
        tier=zone

        [rack1:vars]
        tier=rack
        """

    /// The same host in two chain groups and in `validators`.
    static let twoGroupsINI = """
        [validators]
        val-1 ansible_host=10.0.0.1

        [juno]
        val-1 chain=juno
        juno-sentry

        [osmosis]
        val-1 extra="from osmosis"

        [juno:vars]
        daemon_name=junod

        [osmosis:vars]
        daemon_name=osmosisd
        """

    /// `ansible_port` per host and `ansible_user` per group.
    static let portsAndUsersINI = """
        [sentries]
        s1 ansible_port=2222
        s2
        s3:2200

        [validators]
        v1 ansible_port=22022 ansible_user=root
        v2

        [sentries:vars]
        ansible_user=sentry

        [validators:vars]
        ansible_user=val
        """

    /// A sample of what `scripts/sandbox.py write_inventory` writes.
    static let sandboxINI = """
        # Generated by scripts/sandbox.py: the sandbox fleet as an Ansible INI inventory.

        [sentries]
        sentry-1 ansible_host=127.150.3.1 ansible_port=22022 daemon_home=/tmp/sb/nodes/sentry-1/home node_rpc=http://127.150.3.1:26657
        sentry-2 ansible_host=127.150.3.2 ansible_port=22022 daemon_home=/tmp/sb/nodes/sentry-2/home node_rpc=http://127.150.3.2:26657

        [validators]
        validator-1 ansible_host=127.150.3.3 ansible_port=22022 daemon_home=/tmp/sb/nodes/validator-1/home node_rpc=http://127.150.3.3:26657

        [all:vars]
        ansible_user=fleet
        ansible_ssh_private_key_file=/tmp/sb/client_key
        daemon_name=mockchaind

        """
}
