// A stage with a lifetime of its own named `'a`: the ports struct takes another name.

use pipebuf::Stage;

#[derive(Stage)]
#[stage(ports(input: PBufRd))]
struct Table<'a> {
    table: &'a [u8],
}

impl Table<'_> {
    fn process(&mut self, _: TablePorts<'_>) -> bool {
        !self.table.is_empty()
    }
}

fn main() {}
